import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from './api/create-client';
import { App } from './App';
import { LiveValueStore } from './state/live-value-store';
import { MessageStore } from './state/message-store';
import { applyStoredTextSize } from './ui/TextSizeToggle';
// after App, so the theme's rules come after the libraries' style sheets in app.css
import './ui/theme.css';

const container = document.getElementById('root');
if (container === null) throw new Error('index.html has no #root element');

applyStoredTextSize();
const services = { client: createClient(), values: new LiveValueStore(), messages: new MessageStore() };

createRoot(container).render(
  <StrictMode>
    <App services={services} />
  </StrictMode>,
);
