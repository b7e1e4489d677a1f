import { memo, useCallback, useState, type KeyboardEvent, type MouseEvent } from 'react';
import type { TagInfo } from '../../../shared/types';
import { useTagValue } from '../../state/useTagValue';
import { AgeCell } from './AgeCell';
import { qualityDisplay } from './quality-display';
import { QualityCell } from './QualityCell';
import { ValueCell } from './ValueCell';
import { WriteDialog } from '../writes/WriteDialog';
import { useMay } from '../../state/session-context';

interface TagRowProps {
  tag: TagInfo;
  selected: boolean;
  onSelect: (tagId: string) => void;
}

/** One tag; subscribes to its own value, so a frame re-renders only the rows it touches. */
export const TagRow = memo(function TagRow({ tag, selected, onSelect }: TagRowProps) {
  const value = useTagValue(tag.id);
  const [writing, setWriting] = useState(false);
  const mayWrite = useMay('tags.write', tag.writeArea);
  const closeWrite = useCallback(() => setWriting(false), []);
  const openWrite = (e: MouseEvent) => {
    e.stopPropagation(); // setting a value does not also select the row's trend
    setWriting(true);
  };
  const quality = qualityDisplay(value?.quality);
  const select = () => onSelect(tag.id);
  const mayOpenWrite = tag.writable && mayWrite.allowed;
  // Keyboard: Enter sets a writable value (what the row is for), Space trends it; a tag that
  // cannot be written trends on either key.
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget) return; // keys on the Set… button are the button's
    if (e.key === 'Enter' && mayOpenWrite) {
      e.preventDefault();
      setWriting(true);
    } else if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      select();
    }
  };
  return (
    <tr
      className={`tag-row tag-row--${quality.level}${selected ? ' is-selected' : ''}`}
      data-tag-id={tag.id}
      data-quality={quality.level}
      aria-selected={selected}
      tabIndex={0}
      onClick={select}
      onKeyDown={onKeyDown}
    >
      <td className="cell-tag" title={tag.description || undefined}>
        <div className="tag-name">{tag.name}</div>
        <div className="tag-id">{tag.id}</div>
      </td>
      <ValueCell tag={tag} value={value} quality={quality} />
      <td className="cell-units">{tag.units}</td>
      <QualityCell tag={tag} value={value} quality={quality} />
      <AgeCell tag={tag} value={value} />
      <td className="cell-action">
        {tag.writable && (
          <button
            type="button"
            className="toggle"
            data-testid="write-open"
            aria-label={`Set ${tag.name}`}
            onClick={openWrite}
            disabled={!mayWrite.allowed}
            title={mayWrite.why ?? undefined}
          >
            Set…
          </button>
        )}
        {writing && <WriteDialog tag={tag} value={value} onClose={closeWrite} />}
      </td>
    </tr>
  );
});
