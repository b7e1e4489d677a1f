/**
 * Is the subscription still alive? A server answers every publish request: with notifications
 * when something changed, with a keepalive after `maxKeepAliveCount` empty publishing intervals.
 * So silence longer than a few keepalive periods means the subscription (or the link under it)
 * is dead, even while TCP and the session look fine — a half-open socket, a switch that drops
 * traffic, a server whose publish engine hangs. Unchanged values stay valid while keepalives
 * arrive; they are not re-confirmed by silence.
 *
 *   heard (notification or keepalive) ──▶ alive ── one keepalive missed ──▶ suspect ── silent > limit ──▶ expired (rebuild)
 *                                           ▲                                  │ (values shown uncertain/stale)
 *                                           └──────────── heard ───────────────┘
 */

export interface SubscriptionTuning {
  /** how often the server should answer when nothing changes */
  keepAliveMs: number;
  /** keepalive periods without any answer before the subscription is declared dead */
  missedKeepAlives: number;
  /** monitored item queue size (oldest dropped) */
  queueSize: number;
}

export const defaultSubscriptionTuning: SubscriptionTuning = { keepAliveMs: 1000, missedKeepAlives: 2, queueSize: 10 };

export interface SubscriptionRequest {
  requestedPublishingInterval: number;
  requestedMaxKeepAliveCount: number;
  requestedLifetimeCount: number;
  maxNotificationsPerPublish: number;
  publishingEnabled: boolean;
  priority: number;
}

/** how long the server keeps a subscription nobody publishes for: a network cut shorter than this is repaired without losing it */
export const SUBSCRIPTION_LIFETIME_MS = 30_000;

/**
 * CreateSubscription parameters: publish as fast as the fastest sampling interval asks (within
 * 50 ms .. 1 s), keepalive about every `keepAliveMs`.
 */
export function subscriptionRequest(fastestSamplingMs: number, keepAliveMs: number): SubscriptionRequest {
  const publishingInterval = Math.min(1000, Math.max(50, Math.round(fastestSamplingMs)));
  const maxKeepAliveCount = Math.max(1, Math.ceil(keepAliveMs / publishingInterval));
  // The spec wants lifetime ≥ 3 × keepalive.
  const lifetimeCount = Math.max(3 * maxKeepAliveCount, Math.ceil(SUBSCRIPTION_LIFETIME_MS / publishingInterval));
  return {
    requestedPublishingInterval: publishingInterval,
    requestedMaxKeepAliveCount: maxKeepAliveCount,
    requestedLifetimeCount: lifetimeCount,
    maxNotificationsPerPublish: 0,
    publishingEnabled: true,
    priority: 10,
  };
}

/** Silence allowed, from the values the server revised: N keepalive periods plus one interval of slack. */
export function silenceLimitMs(revisedPublishingInterval: number, revisedMaxKeepAliveCount: number, missedKeepAlives: number): number {
  const keepAlivePeriod = revisedPublishingInterval * Math.max(1, revisedMaxKeepAliveCount);
  return missedKeepAlives * keepAlivePeriod + revisedPublishingInterval;
}

/** Silence after which values are no longer confirmed: one keepalive period missed, plus slack. */
export function suspectAfterMs(revisedPublishingInterval: number, revisedMaxKeepAliveCount: number): number {
  return revisedPublishingInterval * Math.max(1, revisedMaxKeepAliveCount) + revisedPublishingInterval;
}

export class SubscriptionWatchdog {
  private lastHeard: number;

  constructor(
    readonly limitMs: number,
    now: number,
    /** silence after which values are shown uncertain (stale) while waiting for the limit */
    readonly suspectMs: number = limitMs,
  ) {
    this.lastHeard = now;
  }

  /** the server missed its keepalive: what we hold is no longer confirmed */
  suspect(now: number): boolean {
    return this.silentMs(now) > this.suspectMs;
  }

  /** a publish response arrived (data or keepalive) */
  heard(now: number): void {
    if (now > this.lastHeard) this.lastHeard = now;
  }

  silentMs(now: number): number {
    return Math.max(0, now - this.lastHeard);
  }

  expired(now: number): boolean {
    return this.silentMs(now) > this.limitMs;
  }
}
