import { useCallback, useEffect, useMemo, useState } from 'react';
import { AlarmBanner, AlarmProvider, AlarmsScreen } from './features/alarms';
import { DeviceStrip } from './features/devices/DeviceStrip';
import { DisconnectedBanner } from './features/header/DisconnectedBanner';
import { HeaderBar, type ScreenName } from './features/header/HeaderBar';
import { DiagnosticsScreen } from './features/diagnostics/DiagnosticsScreen';
import { SyncScreen } from './features/sync/SyncScreen';
import { OverviewTable } from './features/overview/OverviewTable';
import { SimulatorPanel } from './features/simulator/SimulatorPanel';
import { useSimulatorStatus } from './features/simulator/useSimulatorStatus';
import { TrendPanel } from './features/trends/TrendPanel';
import { TrendsScreen, type TrendRequest } from './features/trends/TrendsScreen';
import { parseTrendHash, type TrendWindow } from './features/trends/trend-range';
import { defaultTrendTag } from './features/trends/trend-values';
import { ServicesProvider, useServices, type Services } from './state/services';
import { useConnection } from './state/useConnection';
import { useRuntimeData } from './state/useRuntimeData';
import { usePolled } from './state/usePolled';
import { MessageLine } from './ui/MessageLine';
import { useSession } from './features/session/useSession';
import { mayOpenPeople, PeopleScreen } from './features/people/PeopleScreen';
import { SigningProvider } from './features/signatures/SigningProvider';
import { InstructionsScreen, type InstructionRequest } from './features/instructions/InstructionsScreen';
import { ProductionScreen } from './features/production/ProductionScreen';
import { IdleWarning, LockScreen } from './features/session/LockScreen';
import { SessionProvider } from './state/session-context';
import { setDateTimeSettings } from './ui/datetime';
import { LineGraphic } from './features/overview/LineGraphic';

function OperatorScreen() {
  const { client } = useServices();
  const { view, generation } = useConnection(client);
  const { info, tags, devices } = useRuntimeData(generation, view === 'connected');
  const { session, setSession, idleWarningMs } = useSession(generation);
  const sessionKey = session === null ? '' : `${session.user?.id ?? ''}|${session.locked}|${session.grants.join(',')}`;
  const [selectedTagId, setSelectedTagId] = useState<string | null>(null);
  const initialTrend = useMemo(() => parseTrendHash(location.hash), []);
  const [screen, setScreen] = useState<ScreenName>(initialTrend !== null ? 'trends' : 'operate');
  const [trendRequest, setTrendRequest] = useState<TrendRequest | null>(
    initialTrend === null ? null : { pens: initialTrend.pens, window: initialTrend.window, seq: 0 },
  );
  const simulator = useSimulatorStatus(info?.simulator === true, generation);
  const [instructionRequest, setInstructionRequest] = useState<InstructionRequest | null>(null);
  /** An alarm's procedure: the Instructions screen with that instruction started (or its run opened). */
  const openProcedure = useCallback((instructionId: string, trigger: string) => {
    setInstructionRequest((r) => ({ instructionId, trigger, seq: (r?.seq ?? 0) + 1 }));
    setScreen('instructions');
  }, []);

  // stops waiting for a reason (the Production screen's, over its 7 days): a count on its tab
  const signedIn = session?.user !== null && session?.user !== undefined;
  const pendingReasons = usePolled(generation > 0 && signedIn ? `pending|${generation}` : null, 15_000, (c) =>
    c.call('production.downtime.list', { status: 'pending', from: Date.now() - 7 * 86_400_000, limit: 2000 }).then((l) => l.length),
  );
  const refreshPending = pendingReasons.refresh;
  useEffect(() => client.on('production', (e) => e.what === 'downtime' && refreshPending()), [client, refreshPending]);
  const badges = useMemo(
    () => ({ production: { count: pendingReasons.data ?? 0, title: `${pendingReasons.data ?? 0} stops waiting for a reason` } }),
    [pendingReasons.data],
  );

  // dates and times in the project's format, before the screens below render with it
  useMemo(() => {
    if (info !== null) setDateTimeSettings(info.display);
  }, [info]);

  const graphic = info !== null && info.display.graphic.length > 0 && tags !== null;

  const trendTag = useMemo(() => {
    if (tags === null) return null;
    return tags.find((t) => t.id === selectedTagId) ?? defaultTrendTag(tags) ?? null;
  }, [tags, selectedTagId]);

  /** Opens the Trends screen with these pens (and range): from a tapped value, an alarm, the address. */
  const openTrend = useCallback((pens: string[], window: TrendWindow | null) => {
    setTrendRequest((r) => ({ pens, window, seq: (r?.seq ?? 0) + 1 }));
    setScreen('trends');
  }, []);
  const openLiveTrend = useCallback((tagId: string) => {
    setSelectedTagId(tagId);
    setScreen('operate');
  }, []);

  useEffect(() => {
    const onHash = () => {
      const t = parseTrendHash(location.hash);
      if (t !== null && t.pens.length > 0) openTrend(t.pens, t.window);
    };
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [openTrend]);

  useEffect(() => {
    document.title = info === null ? 'Lineside' : `Lineside — ${info.projectName}`;
  }, [info]);

  return (
    <SessionProvider session={session}>
      <SigningProvider signer={session?.user ?? null}>
        <AlarmProvider generation={generation} sessionKey={sessionKey} tags={tags} openLiveTrend={openLiveTrend} openTrend={openTrend} openProcedure={openProcedure}>
          <div className={`app${view === 'disconnected' ? ' app--not-live' : ''}`} data-connection={view}>
            <HeaderBar info={info} connection={view} screen={screen} onScreen={setScreen} session={session} onSession={setSession} generation={generation} badges={badges} />
            {view === 'disconnected' && <DisconnectedBanner />}
            {idleWarningMs !== null && <IdleWarning leftMs={idleWarningMs} />}
            <AlarmBanner onOpenSummary={() => setScreen('alarms')} />
            {screen !== 'trends' && screen !== 'instructions' && screen !== 'production' && <DeviceStrip devices={devices} />}
            {session?.locked === true ? (
              <LockScreen session={session} onSession={setSession} />
            ) : screen === 'trends' ? (
              <TrendsScreen tags={tags} generation={generation} connection={view} shiftStarts={info?.shiftStarts ?? ['06:00', '14:00', '22:00']} request={trendRequest} />
            ) : screen === 'alarms' ? (
              <AlarmsScreen />
            ) : screen === 'instructions' ? (
              <InstructionsScreen generation={generation} request={instructionRequest} />
            ) : screen === 'production' ? (
              <ProductionScreen generation={generation} />
            ) : screen === 'diagnostics' ? (
              <DiagnosticsScreen generation={generation} />
            ) : screen === 'upstream' ? (
              <SyncScreen />
            ) : screen === 'people' && mayOpenPeople(session) ? (
              <PeopleScreen session={session} />
            ) : (
              <main className={`workspace${graphic ? ' workspace--graphic' : ''}`}>
                {graphic && <LineGraphic units={info!.display.graphic} tags={tags!} onSelect={setSelectedTagId} />}
                <OverviewTable tags={tags} devices={devices} selectedTagId={trendTag?.id ?? null} onSelect={setSelectedTagId} />
                <div className="workspace__side">
                  <TrendPanel tag={trendTag} generation={generation} onOpenTrends={openTrend} />
                  {info?.simulator === true && <SimulatorPanel controls={simulator} />}
                </div>
              </main>
            )}
            <MessageLine />
          </div>
        </AlarmProvider>
      </SigningProvider>
    </SessionProvider>
  );
}

export function App({ services }: { services: Services }) {
  return (
    <ServicesProvider services={services}>
      <OperatorScreen />
    </ServicesProvider>
  );
}
