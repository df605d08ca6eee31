/**
 * The page's modal dialog: the native <dialog> shown with showModal (focus kept inside, Escape closes, the page
 * behind is inert), named by its heading (with `title`: a heading and a Close button of its own); a click on the
 * backdrop closes it too. The element with `data-autofocus` gets the focus when it opens. Styles: `.modal` in
 * learning.css.
 */
import { useEffect, useRef, type ReactNode } from 'react';

export function Modal({
  open,
  onClose,
  titleId,
  title,
  className,
  children,
}: {
  open: boolean;
  onClose: () => void;
  titleId: string;
  className?: string;
  children: ReactNode;
  /** The heading, shown with a Close button that has the focus; without it, `children` hold the element `titleId` names. */
  title?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      dialog.showModal();
      dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }, [open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className={`modal ${className ?? ''}`}
      onClose={() => {
        if (open) onClose();
      }}
      onClick={(e) => {
        if (e.target === ref.current) onClose();
      }}
    >
      {open && title !== undefined && (
        <div className="modal-head">
          <h2 id={titleId}>{title}</h2>
          <button type="button" className="quiet" onClick={onClose} data-autofocus>
            Close
          </button>
        </div>
      )}
      {open && children}
    </dialog>
  );
}
