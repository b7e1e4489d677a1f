import { createContext, useContext, useEffect, useMemo, useSyncExternalStore, type ReactNode } from 'react';
import { ApiError } from '../../../shared/api';
import { isUnacknowledged, type AlarmActionResult, type AlarmStatus, type ShelveMode } from '../../../shared/alarms';
import type { TagInfo } from '../../../shared/types';
import { useServices } from '../../state/services';
import { alarmValueText } from './alarm-display';
import { AlarmModel, type AlarmView } from './alarm-model';
import { Annunciator, type HornState } from './annunciator';

export interface AlarmActions {
  acknowledge(alarmIds: string[], comment?: string): Promise<AlarmActionResult | null>;
  shelve(alarmId: string, mode: ShelveMode, durationS: number | undefined, reason: string): Promise<AlarmStatus | null>;
  unshelve(alarmId: string, reason?: string): Promise<AlarmStatus | null>;
  reset(alarmId: string): Promise<AlarmStatus | null>;
  comment(alarmId: string, text: string): Promise<AlarmStatus | null>;
  removeFromService(alarmId: string, reason: string): Promise<AlarmStatus | null>;
  returnToService(alarmId: string, reason?: string): Promise<AlarmStatus | null>;
}

interface AlarmContextValue {
  model: AlarmModel;
  horn: Annunciator;
  actions: AlarmActions;
  /** opens the live trend of a tag on the Overview screen */
  openLiveTrend: (tagId: string) => void;
  /** the Trends screen with these pens over this range */
  openTrend: (tagIds: string[], window: { mode: 'history'; from: number; to: number }) => void;
  /** the work instruction that is an alarm's procedure, started from the alarm */
  openProcedure: (instructionId: string, trigger: string) => void;
  /** an alarm's value as the Overview writes it: the tag's decimals, state text and units */
  valueText: (tagId: string | null, value: AlarmStatus['value']) => string;
}

const AlarmContext = createContext<AlarmContextValue | null>(null);

export function useAlarmContext(): AlarmContextValue {
  const c = useContext(AlarmContext);
  if (c === null) throw new Error('useAlarmContext() outside <AlarmProvider>');
  return c;
}

export function useAlarmView(): AlarmView {
  const { model } = useAlarmContext();
  return useSyncExternalStore(model.subscribe, model.getView);
}

export function useHornState(): HornState {
  const { horn } = useAlarmContext();
  return useSyncExternalStore(horn.subscribe, horn.getState);
}

/**
 * Keeps the alarm model fed on every screen: definitions and the snapshot on each connection
 * (`generation`), `alarms` events in between; sounds the horn for new audible alarms.
 */
export function AlarmProvider({
  generation,
  openLiveTrend,
  openTrend,
  openProcedure,
  sessionKey,
  tags,
  children,
}: {
  generation: number;
  /** who is signed in: what the alarm actions allow is fetched again when it changes */
  sessionKey: string;
  openLiveTrend: (tagId: string) => void;
  openTrend: (tagIds: string[], window: { mode: 'history'; from: number; to: number }) => void;
  openProcedure: (instructionId: string, trigger: string) => void;
  /** the tag list, for writing alarm values with their tag's decimals and units */
  tags: readonly TagInfo[] | null;
  children: ReactNode;
}) {
  const { client, messages } = useServices();
  const model = useMemo(() => new AlarmModel(), []);
  const horn = useMemo(() => new Annunciator(), []);

  useEffect(() => client.on('alarms', (e) => model.apply(e.statuses)), [client, model]);

  useEffect(() => {
    if (generation === 0) return;
    let current = true;
    const token = model.snapshotToken();
    client.call('alarms.definitions', {}).then(
      (cfg) => {
        if (!current) return;
        model.setDefinitions(cfg.definitions, cfg.settings, cfg.permissions);
        return client.call('alarms.list', {}).then((list) => {
          if (current) model.applySnapshot(list, token);
        });
      },
      (err: unknown) => {
        if (current) messages.reportError('Loading alarms', err);
      },
    );
    return () => {
      current = false;
    };
  }, [client, model, messages, generation, sessionKey]);

  // the horn: new occurrences of audible priorities sound; it stops when none is left unacknowledged
  useEffect(() => {
    const off = model.onAnnunciation((rows) => {
      const limit = model.settings?.audibleUpToPriority ?? 2;
      const audible = rows.filter((r) => r.def.priority <= limit);
      if (audible.length > 0) horn.sound(Math.min(...audible.map((r) => r.def.priority)));
    });
    const offView = model.subscribe(() => {
      if (horn.state === 'idle') return;
      const limit = model.settings?.audibleUpToPriority ?? 2;
      const stillUnacked = model.getView().annunciated.some((r) => r.def.priority <= limit && isUnacknowledged(r.status.state));
      if (!stillUnacked) horn.stop();
    });
    return () => {
      off();
      offView();
    };
  }, [model, horn]);

  useEffect(() => () => horn.dispose(), [horn]);

  const actions = useMemo<AlarmActions>(() => {
    const run = async <T,>(what: string, p: Promise<T>): Promise<T | null> => {
      try {
        return await p;
      } catch (err) {
        messages.reportError(what, err instanceof ApiError ? err : new Error(String(err)));
        return null;
      }
    };
    const applied = async (what: string, p: Promise<AlarmStatus>) => {
      const s = await run(what, p);
      if (s !== null) model.apply([s]);
      return s;
    };
    return {
      acknowledge: (alarmIds, comment) => run('Acknowledge', client.call('alarms.acknowledge', { alarmIds, comment })),
      shelve: (alarmId, mode, durationS, reason) => applied('Shelve', client.call('alarms.shelve', { alarmId, mode, durationS, reason })),
      unshelve: (alarmId, reason) => applied('Unshelve', client.call('alarms.unshelve', { alarmId, reason })),
      reset: (alarmId) => applied('Reset', client.call('alarms.reset', { alarmId })),
      comment: (alarmId, text) => applied('Comment', client.call('alarms.comment', { alarmId, text })),
      removeFromService: (alarmId, reason) => applied('Out of service', client.call('alarms.removeFromService', { alarmId, reason })),
      returnToService: (alarmId, reason) => applied('Return to service', client.call('alarms.returnToService', { alarmId, reason })),
    };
  }, [client, messages, model]);

  const valueText = useMemo(() => {
    const byId = new Map((tags ?? []).map((t) => [t.id, t]));
    return (tagId: string | null, v: AlarmStatus['value']) => alarmValueText(v, tagId === null ? undefined : byId.get(tagId));
  }, [tags]);
  const value = useMemo(() => ({ model, horn, actions, openLiveTrend, openTrend, openProcedure, valueText }), [model, horn, actions, openLiveTrend, openTrend, openProcedure, valueText]);
  return <AlarmContext value={value}>{children}</AlarmContext>;
}
