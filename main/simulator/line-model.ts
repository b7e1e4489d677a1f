/**
 * The simulated packaging line: pure and deterministic for a given seed. Time advances only
 * through `step(dtMs)`, so tests step through simulated minutes in milliseconds of real time,
 * and the servers (which read this model) never disagree with each other about "now".
 *
 * Machine state (PackML-like, reduced to what an operator sees):
 *
 *              run command on, after startUpDelayMs
 *    ┌─────────┐ ─────────────────────────────────► ┌─────────┐  infeed starved  ┌──────┐
 *    │ Stopped │                                    │ Running │ ───────────────► │ Idle │
 *    │   (0)   │ ◄───────────────────────────────── │   (2)   │ ◄─────────────── │ (1)  │
 *    └─────────┘   run command off (also from Idle) └─────────┘  infeed refilled └──────┘
 *         ▲                                             │  ▲
 *         │                              jam (from any  │  │ jam cleared + jamClearDelayMs,
 *         │                              state)         ▼  │ run command on
 *         │  jam cleared + jamClearDelayMs,        ┌─────────┐
 *         │  run command off                       │ Faulted │  fault code 101
 *         └─────────────────────────────────────── │   (3)   │
 *                                                  └─────────┘
 *
 * A fault is not cleared by switching the run command off: as on a real machine, the cause
 * (the jam) must go first.
 *
 * Production events (option `production`, docs/simulator.md): from Running the line also goes,
 * at random intervals, to Faulted with a short film jam (fault 102, a minor stop) or a sealer
 * breakdown (fault 201, minutes), to Blocked (4, outfeed full) and now and then to Changeover
 * (5) with the next product; each returns to Running after its duration. Rejects vary between
 * 1 and 3 %, more just after a restart. `force()` holds a scripted state instead (tests).
 */
import type { ScenarioName } from '../../shared/api';
import { SeededRandom } from './random';

export const MachineState = { Stopped: 0, Idle: 1, Running: 2, Faulted: 3, Blocked: 4, Changeover: 5 } as const;
export type MachineState = (typeof MachineState)[keyof typeof MachineState];

export const FaultCode = { None: 0, InfeedJam: 101, FilmJam: 102, SealerHeater: 201 } as const;
/** a code the model raises, or any a test forces */
export type FaultCode = number;

export const machineStateText: Record<MachineState, string> = {
  [MachineState.Stopped]: 'Stopped',
  [MachineState.Idle]: 'Idle',
  [MachineState.Running]: 'Running',
  [MachineState.Faulted]: 'Faulted',
  [MachineState.Blocked]: 'Blocked',
  [MachineState.Changeover]: 'Changeover',
};

export const SPEED_SETPOINT_MIN = 0;
export const SPEED_SETPOINT_MAX = 200;
export const SPEED_SETPOINT_DEFAULT = 120;
export const PRODUCT_CODE = 'PK-330';
/** the products a changeover alternates between */
export const PRODUCT_CODES = ['PK-330', 'PK-500'] as const;
export const REJECT_RATE = 0.015;

/** The model's physics constants, in one place so the documentation can quote them. */
export const LINE_PHYSICS = {
  startUpDelayMs: 1_000,
  /** first-order lag of the line speed when accelerating (drive ramp) */
  speedRiseTauMs: 3_000,
  /** coasting down when stopped or starved */
  speedFallTauMs: 1_500,
  motorCurrentBaseA: 2.0,
  motorCurrentPerPackA: 0.08,
  motorCurrentPerWearA: 0.6,
  rpmPerPack: 12,
  /**
   * Real bearings take tens of minutes; two minutes keeps the physics recognisable while a
   * demo still sees the temperature move.
   */
  bearingTempTauMs: 120_000,
  bearingTempInitialC: 35,
  bearingTempPerPackC: 0.2,
  bearingTempPerWearC: 20,
  vibrationBaseMmS: 1.2,
  vibrationPerPackMmS: 0.01,
  vibrationPerWearMmS: 3.0,
  vibrationStandstillMmS: 0.1,
  /** wear grows by one unit in this time, so vibration visibly creeps up within a minute */
  wearUnitMs: 90_000,
  wearMax: 2,
  ambientMeanC: 21.5,
  ambientTauMs: 1_800_000,
  jamClearDelayMs: 3_000,
  starvationIntervalMs: [120_000, 300_000] as const,
  starvationDurationMs: [5_000, 15_000] as const,
  rejectGatePulseMs: 400,
  webTensionTauMs: 2_000,
  webTensionSigmaRunningMn: 150,
  webTensionSigmaStoppedMn: 10,
} as const;

/**
 * Production events (option `production`): [first after, then every] and durations, in ms. The
 * first of each comes minutes after the start, so a short session sees a steady line.
 */
export const PRODUCTION_EVENTS = {
  filmJam: { firstMs: [150_000, 400_000], everyMs: [300_000, 660_000], durationMs: [8_000, 30_000] },
  blocked: { firstMs: [200_000, 500_000], everyMs: [480_000, 900_000], durationMs: [10_000, 40_000] },
  breakdown: { firstMs: [1_200_000, 2_400_000], everyMs: [2_700_000, 5_400_000], durationMs: [180_000, 420_000] },
  changeover: { firstMs: [1_800_000, 3_000_000], everyMs: [7_200_000, 10_800_000], durationMs: [360_000, 600_000] },
  rejectRate: [0.01, 0.03],
  startupRejectRate: 0.08,
  startupMs: 20_000,
} as const;

type ProductionEventName = 'filmJam' | 'blocked' | 'breakdown' | 'changeover';

export interface LineModelOptions {
  seed?: number;
  /** epoch ms at the model's t = 0; `timeMs` is this plus all stepped time */
  startTimeMs?: number;
  speedSetpoint?: number;
  /** occasional starved-infeed idle periods; tests of other physics switch them off */
  idlePeriods?: boolean;
  /** counters carried over from earlier in the shift, so both words of the uint32 are used */
  initialGoodCount?: number;
  initialRejectCount?: number;
  /** time for one unit of bearing wear; default LINE_PHYSICS.wearUnitMs (tests speed it up) */
  wearUnitMs?: number;
  /** random jams, blocked outfeed, breakdowns, changeovers, varying rejects; default false */
  production?: boolean;
}

export type ScenarioFlags = Record<ScenarioName, boolean>;

/** Everything the servers publish, taken at one instant. */
export interface LineSnapshot {
  timeMs: number;
  state: MachineState;
  stateText: string;
  faultCode: FaultCode;
  speedSetpoint: number;
  lineSpeed: number;
  motorCurrent: number;
  motorSpeedRpm: number;
  bearingTemperature: number;
  vibration: number;
  ambientTemperature: number;
  goodCount: number;
  rejectCount: number;
  webTensionDeviation: number;
  runCommand: boolean;
  motorRunning: boolean;
  rejectGateActive: boolean;
  eStopOk: boolean;
  guardDoorClosed: boolean;
  productCode: string;
  scenarios: ScenarioFlags;
}

export function clampSpeedSetpoint(value: number): number {
  if (!Number.isFinite(value)) return SPEED_SETPOINT_MIN;
  return Math.min(SPEED_SETPOINT_MAX, Math.max(SPEED_SETPOINT_MIN, value));
}

export class LineModel {
  private readonly rng: SeededRandom;
  private readonly idlePeriods: boolean;
  private readonly startTimeMs: number;
  private readonly wearUnitMs: number;
  private readonly production: boolean;
  private elapsedMs = 0;
  private _productCode: string = PRODUCT_CODE;
  private rejectRate: number = REJECT_RATE;
  /** elapsed time of the next production event of each kind */
  private readonly nextEvent: Record<ProductionEventName, number> = { filmJam: Infinity, blocked: Infinity, breakdown: Infinity, changeover: Infinity };
  /** a production event in progress: back to Running at `until` */
  private event: { kind: ProductionEventName; until: number } | null = null;
  private runningSince = 0;
  private forced: { state: MachineState; faultCode: FaultCode } | null = null;

  private _state: MachineState = MachineState.Stopped;
  private _faultCode: FaultCode = FaultCode.None;
  private _runCommand = true;
  private _speedSetpoint: number;
  private _lineSpeed = 0;
  private _goodCount: number;
  private _rejectCount: number;
  private packFraction = 0;
  private _motorCurrent = 0;
  private trueBearingTemperature: number = LINE_PHYSICS.bearingTempInitialC;
  private _bearingTemperature: number = LINE_PHYSICS.bearingTempInitialC;
  private _vibration: number = LINE_PHYSICS.vibrationStandstillMmS;
  private _ambientTemperature: number = LINE_PHYSICS.ambientMeanC;
  private webTension = 0;
  private wear = 0;
  private readonly scenarios: ScenarioFlags = { bearingWear: false, stuckSensor: false, jam: false };

  /** elapsed-time deadlines; null when not pending */
  private startAt: number | null = null;
  private idleUntil: number | null = null;
  private nextStarvationAt: number | null = null;
  private faultClearsAt: number | null = null;
  private rejectGateUntil = -1;

  constructor(options: LineModelOptions = {}) {
    this.rng = new SeededRandom(options.seed ?? 1);
    this.startTimeMs = options.startTimeMs ?? 0;
    this.idlePeriods = options.idlePeriods ?? true;
    this.wearUnitMs = options.wearUnitMs ?? LINE_PHYSICS.wearUnitMs;
    this.production = options.production ?? false;
    if (this.production) {
      for (const k of ['filmJam', 'blocked', 'breakdown', 'changeover'] as const) this.nextEvent[k] = this.within(PRODUCTION_EVENTS[k].firstMs);
    }
    this._speedSetpoint = clampSpeedSetpoint(options.speedSetpoint ?? SPEED_SETPOINT_DEFAULT);
    this._goodCount = Math.max(0, Math.trunc(options.initialGoodCount ?? 123_456));
    this._rejectCount = Math.max(0, Math.trunc(options.initialRejectCount ?? 1_880));
    this.updateState();
  }

  get timeMs(): number {
    return this.startTimeMs + this.elapsedMs;
  }
  get state(): MachineState {
    return this._state;
  }
  get stateText(): string {
    return machineStateText[this._state];
  }
  get faultCode(): FaultCode {
    return this._faultCode;
  }
  get runCommand(): boolean {
    return this._runCommand;
  }
  get speedSetpoint(): number {
    return this._speedSetpoint;
  }
  get lineSpeed(): number {
    return this._lineSpeed;
  }
  get motorRunning(): boolean {
    return this._state === MachineState.Running;
  }
  get motorCurrent(): number {
    return this._motorCurrent;
  }
  get motorSpeedRpm(): number {
    return Math.round(this._lineSpeed * LINE_PHYSICS.rpmPerPack);
  }
  /** what the (possibly stuck) sensor reports */
  get bearingTemperature(): number {
    return this._bearingTemperature;
  }
  /** the physical truth behind the sensor, for tests and diagnostics */
  get bearingTemperatureActual(): number {
    return this.trueBearingTemperature;
  }
  get vibration(): number {
    return this._vibration;
  }
  get ambientTemperature(): number {
    return this._ambientTemperature;
  }
  get goodCount(): number {
    return this._goodCount;
  }
  get rejectCount(): number {
    return this._rejectCount;
  }
  get rejectGateActive(): boolean {
    return this.elapsedMs < this.rejectGateUntil;
  }
  get webTensionDeviation(): number {
    return Math.round(this.webTension);
  }
  get bearingWearLevel(): number {
    return this.wear;
  }
  // The safety circuit is healthy in every scenario the simulator offers.
  get eStopOk(): boolean {
    return true;
  }
  get guardDoorClosed(): boolean {
    return true;
  }
  get productCode(): string {
    return this._productCode;
  }

  /**
   * Holds the line in `state` (with `faultCode`) until `force(null)`, whatever the run command
   * and the random events say: tests script exact state sequences with it. Counting follows the
   * state (packs are made only while Running).
   */
  force(state: MachineState | null, faultCode: FaultCode = FaultCode.None): void {
    if (state === null) {
      this.forced = null;
      this._faultCode = FaultCode.None;
      this.enterRunning();
      this.updateState();
      return;
    }
    this.forced = { state, faultCode };
    this._state = state;
    this._faultCode = faultCode;
    if (state === MachineState.Running) this.runningSince = this.elapsedMs;
    if (state !== MachineState.Running) this._lineSpeed = state === MachineState.Faulted ? 0 : this._lineSpeed;
  }

  /** A counter reset in the PLC (the operator zeroed it, or the PLC restarted). */
  resetCounters(): void {
    this._goodCount = 0;
    this._rejectCount = 0;
  }

  /** The product the line makes from now on (a changeover does this by itself). */
  setProduct(code: string): void {
    this._productCode = code;
  }

  scenario(name: ScenarioName): boolean {
    return this.scenarios[name];
  }

  snapshot(): LineSnapshot {
    return {
      timeMs: this.timeMs,
      state: this.state,
      stateText: this.stateText,
      faultCode: this.faultCode,
      speedSetpoint: this.speedSetpoint,
      lineSpeed: this.lineSpeed,
      motorCurrent: this.motorCurrent,
      motorSpeedRpm: this.motorSpeedRpm,
      bearingTemperature: this.bearingTemperature,
      vibration: this.vibration,
      ambientTemperature: this.ambientTemperature,
      goodCount: this.goodCount,
      rejectCount: this.rejectCount,
      webTensionDeviation: this.webTensionDeviation,
      runCommand: this.runCommand,
      motorRunning: this.motorRunning,
      rejectGateActive: this.rejectGateActive,
      eStopOk: this.eStopOk,
      guardDoorClosed: this.guardDoorClosed,
      productCode: this.productCode,
      scenarios: { ...this.scenarios },
    };
  }

  /** Returns the setpoint actually applied (clamped to 0..200). */
  setSpeedSetpoint(value: number): number {
    this._speedSetpoint = clampSpeedSetpoint(value);
    return this._speedSetpoint;
  }

  setRunCommand(on: boolean): void {
    this._runCommand = on;
    this.updateState();
  }

  setScenario(name: ScenarioName, on: boolean): void {
    if (this.scenarios[name] === on) return;
    this.scenarios[name] = on;
    if (name === 'stuckSensor' && on) {
      // Freeze at what the sensor shows now; the physics underneath keeps moving.
      this._bearingTemperature = this.trueBearingTemperature;
    }
    if (name === 'bearingWear' && !on) {
      // Switching wear off stands for the bearing being replaced.
      this.wear = 0;
    }
    if (name === 'jam' && !on && this._state === MachineState.Faulted) {
      this.faultClearsAt = this.elapsedMs + LINE_PHYSICS.jamClearDelayMs;
    }
    this.updateState();
  }

  step(dtMs: number): void {
    if (!(dtMs > 0) || !Number.isFinite(dtMs)) return;
    this.elapsedMs += dtMs;
    this.updateState();
    this.updatePhysics(dtMs);
  }

  /** Applies every transition that is due at the current elapsed time; takes no time. */
  private updateState(): void {
    const now = this.elapsedMs;
    if (this.forced !== null) return;
    if (this.event !== null) {
      if (this.scenarios.jam || !this._runCommand || now >= this.event.until) this.endEvent();
      else return;
    }
    if (this.scenarios.jam && this._state !== MachineState.Faulted) {
      this.enterFaulted();
      return;
    }
    switch (this._state) {
      case MachineState.Stopped:
        if (!this._runCommand) {
          this.startAt = null;
        } else {
          this.startAt ??= now + LINE_PHYSICS.startUpDelayMs;
          if (now >= this.startAt) this.enterRunning();
        }
        break;
      case MachineState.Running:
        if (!this._runCommand) {
          this.enterStopped();
        } else if (this.production && this.startEvent(now)) {
          // a production event took the line out of Running
        } else if (this.nextStarvationAt !== null && now >= this.nextStarvationAt) {
          this._state = MachineState.Idle;
          this.nextStarvationAt = null;
          this.idleUntil = now + this.rng.between(...LINE_PHYSICS.starvationDurationMs);
        }
        break;
      case MachineState.Idle:
        if (!this._runCommand) this.enterStopped();
        else if (this.idleUntil !== null && now >= this.idleUntil) this.enterRunning();
        break;
      case MachineState.Faulted:
        if (!this.scenarios.jam && this.faultClearsAt !== null && now >= this.faultClearsAt) {
          this._faultCode = FaultCode.None;
          this.faultClearsAt = null;
          if (this._runCommand) this.enterRunning();
          else this.enterStopped();
        }
        break;
    }
  }

  private within(range: readonly number[]): number {
    return this.rng.between(range[0], range[1]);
  }

  /** Starts the production event that is due, if one is. */
  private startEvent(now: number): boolean {
    const kind = (['breakdown', 'changeover', 'filmJam', 'blocked'] as const).find((k) => now >= this.nextEvent[k]);
    if (kind === undefined) return false;
    const e = PRODUCTION_EVENTS[kind];
    this.nextEvent[kind] = now + this.within(e.everyMs);
    this.event = { kind, until: now + this.within(e.durationMs) };
    if (kind === 'filmJam' || kind === 'breakdown') {
      this._state = MachineState.Faulted;
      this._faultCode = kind === 'filmJam' ? FaultCode.FilmJam : FaultCode.SealerHeater;
      this._lineSpeed = 0;
    } else if (kind === 'blocked') {
      this._state = MachineState.Blocked;
    } else {
      this._state = MachineState.Changeover;
      this._productCode = PRODUCT_CODES[(PRODUCT_CODES.indexOf(this._productCode as (typeof PRODUCT_CODES)[number]) + 1) % PRODUCT_CODES.length];
    }
    this.nextStarvationAt = null;
    return true;
  }

  private endEvent(): void {
    this.event = null;
    if (this._faultCode !== FaultCode.InfeedJam) this._faultCode = FaultCode.None;
    this.rejectRate = this.within(PRODUCTION_EVENTS.rejectRate);
    if (this._runCommand) this.enterRunning();
    else this.enterStopped();
  }

  private enterRunning(): void {
    this._state = MachineState.Running;
    this.runningSince = this.elapsedMs;
    this.startAt = null;
    this.idleUntil = null;
    this.nextStarvationAt = this.idlePeriods
      ? this.elapsedMs + this.rng.between(...LINE_PHYSICS.starvationIntervalMs)
      : null;
  }

  private enterStopped(): void {
    this._state = MachineState.Stopped;
    this.startAt = null;
    this.idleUntil = null;
    this.nextStarvationAt = null;
  }

  private enterFaulted(): void {
    this._state = MachineState.Faulted;
    this._faultCode = FaultCode.InfeedJam;
    // A jam blocks the web: the line stops at once rather than coasting down.
    this._lineSpeed = 0;
    this.startAt = null;
    this.idleUntil = null;
    this.nextStarvationAt = null;
    this.faultClearsAt = null;
  }

  private updatePhysics(dtMs: number): void {
    const p = LINE_PHYSICS;
    const dtS = dtMs / 1000;
    const lag = (tauMs: number): number => 1 - Math.exp(-dtMs / tauMs);
    const running = this._state === MachineState.Running;

    this._ambientTemperature +=
      (p.ambientMeanC - this._ambientTemperature) * lag(p.ambientTauMs) +
      0.015 * Math.sqrt(dtS) * this.rng.gaussian();

    const targetSpeed = running ? this._speedSetpoint : 0;
    const tau = targetSpeed > this._lineSpeed ? p.speedRiseTauMs : p.speedFallTauMs;
    this._lineSpeed += (targetSpeed - this._lineSpeed) * lag(tau);
    // Below half a pack a minute the line is standing; let it reach a true zero.
    if (targetSpeed === 0 && this._lineSpeed < 0.5) this._lineSpeed = 0;

    this.producePacks(dtMs);

    if (this.scenarios.bearingWear) {
      this.wear = Math.min(p.wearMax, this.wear + dtMs / this.wearUnitMs);
    }

    this._motorCurrent = running
      ? p.motorCurrentBaseA +
        p.motorCurrentPerPackA * this._lineSpeed +
        p.motorCurrentPerWearA * this.wear +
        0.04 * this.rng.gaussian()
      : 0;

    const tempTarget =
      this._ambientTemperature + p.bearingTempPerPackC * this._lineSpeed + p.bearingTempPerWearC * this.wear;
    this.trueBearingTemperature += (tempTarget - this.trueBearingTemperature) * lag(p.bearingTempTauMs);
    if (!this.scenarios.stuckSensor) {
      this._bearingTemperature = this.trueBearingTemperature + 0.05 * this.rng.gaussian();
    }

    const vibration = running
      ? p.vibrationBaseMmS +
        p.vibrationPerPackMmS * this._lineSpeed +
        p.vibrationPerWearMmS * this.wear +
        0.08 * this.rng.gaussian()
      : p.vibrationStandstillMmS + 0.02 * Math.abs(this.rng.gaussian());
    this._vibration = Math.max(0, vibration);

    // Ornstein–Uhlenbeck: noisy around zero, with memory, so it looks like a dancer arm.
    const sigma = running ? p.webTensionSigmaRunningMn : p.webTensionSigmaStoppedMn;
    const diffusion = sigma * Math.sqrt(2 / (p.webTensionTauMs / 1000));
    this.webTension += -this.webTension * lag(p.webTensionTauMs) + diffusion * Math.sqrt(dtS) * this.rng.gaussian();
  }

  private producePacks(dtMs: number): void {
    this.packFraction += (this._lineSpeed * dtMs) / 60_000;
    while (this.packFraction >= 1) {
      this.packFraction -= 1;
      const rate = !this.production ? REJECT_RATE : this.elapsedMs - this.runningSince < PRODUCTION_EVENTS.startupMs ? PRODUCTION_EVENTS.startupRejectRate : this.rejectRate;
      if (this.rng.next() < rate) {
        this._rejectCount += 1;
        this.rejectGateUntil = this.elapsedMs + LINE_PHYSICS.rejectGatePulseMs;
      } else {
        this._goodCount += 1;
      }
    }
  }
}
