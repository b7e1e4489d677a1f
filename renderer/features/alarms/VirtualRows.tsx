import { useLayoutEffect, useRef, useState, type ReactNode } from 'react';

interface VirtualRowsProps {
  count: number;
  rowHeight: number;
  className?: string;
  /** renders row i; only the rows in view (and a few around) are rendered */
  children: (i: number) => ReactNode;
}

const OVERSCAN = 4;

/** A scrolling list of fixed-height rows that renders only what is in view. */
export function VirtualRows({ count, rowHeight, className, children }: VirtualRowsProps) {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(900);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    setHeight(el.clientHeight || 900);
    const ro = new ResizeObserver(() => setHeight(el.clientHeight || 900));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  const first = Math.max(0, Math.min(count, Math.floor(scrollTop / rowHeight) - OVERSCAN));
  const last = Math.min(count, Math.ceil((scrollTop + height) / rowHeight) + OVERSCAN);
  const rows: ReactNode[] = [];
  for (let i = first; i < last; i++) rows.push(children(i));
  return (
    <div ref={ref} className={className} role="rowgroup" onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
      <div style={{ height: first * rowHeight }} aria-hidden="true" />
      {rows}
      <div style={{ height: (count - last) * rowHeight }} aria-hidden="true" />
    </div>
  );
}
