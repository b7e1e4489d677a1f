import { createContext, useContext, type ReactNode } from 'react';
import type { LinesideClient } from '../../shared/api';
import type { LiveValueStore } from './live-value-store';
import type { MessageStore } from './message-store';

/** What every feature needs from outside React: the API, the live values, the message line. */
export interface Services {
  client: LinesideClient;
  values: LiveValueStore;
  messages: MessageStore;
}

const ServicesContext = createContext<Services | null>(null);

export function ServicesProvider({ services, children }: { services: Services; children: ReactNode }) {
  return <ServicesContext value={services}>{children}</ServicesContext>;
}

export function useServices(): Services {
  const services = useContext(ServicesContext);
  if (services === null) throw new Error('useServices() outside <ServicesProvider>');
  return services;
}
