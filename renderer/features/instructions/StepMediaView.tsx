import { useEffect, useState } from 'react';
import type { StepMedia } from '../../../shared/instructions';
import { useServices } from '../../state/services';

/**
 * A step's pictures, videos and PDF pages, fetched from the version the run runs (never from
 * today's files): shown in place (pictures, videos) or opened as a download (PDF).
 */
export function StepMediaView({ versionHash, media }: { versionHash: string; media: StepMedia[] }) {
  if (media.length === 0) return null;
  return (
    <div className="step__media" data-testid="step-media">
      {media.map((m) => (
        <MediaItem key={m.sha256} versionHash={versionHash} media={m} />
      ))}
    </div>
  );
}

function MediaItem({ versionHash, media }: { versionHash: string; media: StepMedia }) {
  const { client } = useServices();
  const [url, setUrl] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let alive = true;
    let made: string | null = null;
    client.call('instructions.media', { hash: versionHash, sha256: media.sha256 }).then(
      (m) => {
        if (!alive) return;
        const bytes = Uint8Array.from(atob(m.dataBase64), (c) => c.charCodeAt(0));
        made = URL.createObjectURL(new Blob([bytes], { type: m.mime }));
        setUrl(made);
      },
      (err: unknown) => alive && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      alive = false;
      if (made !== null) URL.revokeObjectURL(made);
    };
  }, [client, versionHash, media.sha256]);
  const caption = media.caption || media.file;
  return (
    <figure className="step__figure" data-kind={media.kind}>
      {error !== null ? (
        <p className="step__error">{error}</p>
      ) : url === null ? (
        <div className="step__media-loading">Loading {media.file}…</div>
      ) : media.kind === 'image' ? (
        <img src={url} alt={caption} className="step__image" />
      ) : media.kind === 'video' ? (
        <video src={url} controls className="step__video" aria-label={caption} />
      ) : (
        <a className="toggle" href={url} download={media.file}>
          Open {media.file}
        </a>
      )}
      {media.caption !== '' && <figcaption>{media.caption}</figcaption>}
    </figure>
  );
}
