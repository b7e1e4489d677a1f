import { useState } from 'react';
import type { ProductInfo } from '../../../shared/production';
import { useServices } from '../../state/services';
import { ProductionDialog } from './ProductionDialog';
import { useSubmit } from './useSubmit';

/** The product (and order) made from now on, picked from the project's products. */
export function ProductDialog({ line, products, current, order, onClose, onDone }: { line: string; products: ProductInfo[]; current: string | null; order: string | null; onClose: () => void; onDone: () => void }) {
  const { client } = useServices();
  const [product, setProduct] = useState(current);
  const [orderText, setOrderText] = useState(order ?? '');
  const { sending, submit } = useSubmit();
  const send = () => {
    if (product === null || sending) return;
    const o = orderText.trim();
    submit('Changing the product', () => client.call('production.product.set', { line, product, ...(o === '' ? {} : { order: o }) }), () => {
      onDone();
      onClose();
      return `Product now ${product}`;
    });
  };
  return (
    <ProductionDialog title="Change the product" testId="product-dialog" onClose={onClose}>
      <div className="reason-grid" role="group" aria-label="Products">
        {products.map((p) => (
          <button key={p.code} type="button" className={`toggle reason-option${p.code === product ? ' toggle--on' : ''}`} aria-pressed={p.code === product} onClick={() => setProduct(p.code)} data-testid="product-option" data-product={p.code}>
            <span className="reason-option__name">{p.name}</span>
            <span className="reason-option__more">
              {p.code} · {(60 / p.idealCycleS).toFixed(0)} / min
            </span>
          </button>
        ))}
      </div>
      <label className="modal__label" htmlFor="product-order">
        Order (optional)
      </label>
      <input id="product-order" className="prod-dialog__input" maxLength={60} value={orderText} onChange={(e) => setOrderText(e.target.value)} data-testid="product-order" />
      <div className="modal__actions prod-dialog__actions">
        <button type="button" className="toggle modal__big" onClick={onClose}>
          Cancel
        </button>
        <button type="button" className="toggle toggle--on modal__big" disabled={product === null || sending} onClick={send} data-testid="product-confirm">
          Set product
        </button>
      </div>
    </ProductionDialog>
  );
}
