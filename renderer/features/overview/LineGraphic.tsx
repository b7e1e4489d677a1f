import { Fragment, useMemo } from 'react';
import type { GraphicUnit } from '../../../shared/api';
import type { TagInfo } from '../../../shared/types';
import { useTagValue } from '../../state/useTagValue';
import { TagAlarmIndicator } from '../alarms';
import { formatValue } from './format';
import { qualityDisplay } from './quality-display';
import { bandOf } from './ValueCell';

/**
 * The line as the project draws it (`display.graphic`): its units left to right along the
 * product flow, each with its state and main values in place. ISA-101: grey boxes and dark
 * text while normal; a value in alarm carries its priority indicator, a value outside its
 * normal band an arrow and outline, a value that is not good its quality instead of a number —
 * the same cues as the tag table. Tapping a value shows its trend beside.
 */
export function LineGraphic({ units, tags, onSelect }: { units: GraphicUnit[]; tags: TagInfo[]; onSelect: (tagId: string) => void }) {
  const byId = useMemo(() => new Map(tags.map((t) => [t.id, t])), [tags]);
  return (
    <section className="panel line-graphic" aria-label="Line" data-testid="line-graphic">
      <div className="line-graphic__flow">
        {units.map((u, i) => (
          <Fragment key={u.id}>
            {i > 0 && (
              <div className="line-graphic__link" aria-hidden="true">
                <span className="line-graphic__arrow">▶</span>
              </div>
            )}
            <UnitBox unit={u} byId={byId} onSelect={onSelect} />
          </Fragment>
        ))}
      </div>
    </section>
  );
}

function UnitBox({ unit, byId, onSelect }: { unit: GraphicUnit; byId: ReadonlyMap<string, TagInfo>; onSelect: (tagId: string) => void }) {
  const stateTag = unit.state === null ? undefined : byId.get(unit.state);
  return (
    <div className="line-unit" data-testid="line-unit" data-unit-id={unit.id}>
      <div className="line-unit__head">
        <span className="line-unit__label">{unit.label}</span>
        {stateTag !== undefined && <UnitState tag={stateTag} />}
      </div>
      {unit.values.map((v) => {
        const tag = byId.get(v.tag);
        return tag === undefined ? null : <UnitValue key={v.tag} tag={tag} label={v.label ?? tag.name} onSelect={onSelect} />;
      })}
    </div>
  );
}

function UnitState({ tag }: { tag: TagInfo }) {
  const value = useTagValue(tag.id);
  const q = qualityDisplay(value?.quality);
  return (
    <span className={`line-unit__state value--${q.level}`} data-testid="line-unit-state" data-graphic-tag={tag.id} data-quality={q.level} title={`${tag.name}: ${q.description}`}>
      <TagAlarmIndicator tagId={tag.id} />
      <span className="value-text">{q.level === 'bad' ? q.badge : formatValue(value?.value, tag)}</span>
    </span>
  );
}

function UnitValue({ tag, label, onSelect }: { tag: TagInfo; label: string; onSelect: (tagId: string) => void }) {
  const value = useTagValue(tag.id);
  const q = qualityDisplay(value?.quality);
  const band = bandOf(tag, value);
  const text = q.level === 'bad' ? q.badge : formatValue(value?.value, tag);
  return (
    <button
      type="button"
      className={`line-value value--${q.level}${band === null ? '' : ' value--out-of-band'}`}
      data-testid="line-value"
      data-graphic-tag={tag.id}
      data-quality={q.level}
      data-band={band ?? undefined}
      title={`${tag.name} (${tag.id}): ${q.description}${band === null ? '' : band === 'high' ? `; above its normal band (≤ ${tag.normalHigh})` : `; below its normal band (≥ ${tag.normalLow})`}`}
      onClick={() => onSelect(tag.id)}
    >
      <span className="line-value__label">{label}</span>
      <span className="line-value__reading">
        <TagAlarmIndicator tagId={tag.id} />
        {band !== null && <span className="value-band">{band === 'high' ? '▲' : '▼'}</span>}
        <span className="value-text line-value__text">{text}</span>
        {q.level !== 'bad' && tag.units !== '' && <span className="line-value__units">{tag.units}</span>}
      </span>
      {q.level === 'uncertain' && q.badge !== null && <span className="line-value__quality">{q.badge}</span>}
    </button>
  );
}
