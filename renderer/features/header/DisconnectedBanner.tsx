export function DisconnectedBanner() {
  return (
    <div className="banner banner--disconnected" role="alert" data-testid="disconnected-banner">
      DISCONNECTED — values are not live. Reconnecting to the runtime…
    </div>
  );
}
