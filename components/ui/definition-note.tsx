"use client";

import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type PointerEvent,
} from "react";

const WIDTH = 320;
const MARGIN = 8;

/**
 * A "?" that reveals how a metric is defined, for every way of pointing at it: mouse hover, keyboard
 * (it is in the tab order; focus opens, Enter or Space toggles, Escape closes) and touch (a tap
 * toggles; a tap elsewhere closes). Screen readers read the text as the element's name.
 *
 * Why a span with role="button" and not a <button>: notes sit inside <label>s of form controls,
 * and a <button> is labelable, so it would steal the label from the input it describes.
 * Why focus from a pointer is ignored: a tap focuses and then clicks, and the click is the toggle.
 */
export function DefinitionNote({ text }: { text: string }) {
  const id = useId();
  const anchor = useRef<HTMLSpanElement>(null);
  const fromPointer = useRef(false);
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  const [pinned, setPinned] = useState(false);
  const [at, setAt] = useState<{ left: number; top: number; width: number } | null>(null);
  const open = hovered || focused || pinned;

  const close = useCallback(() => {
    setHovered(false);
    setFocused(false);
    setPinned(false);
  }, []);

  // Fixed position, clamped to what is on screen (the visual viewport: on a phone the page may be
  // wider than the screen), so a note near an edge is never cut off.
  const place = useCallback(() => {
    const r = anchor.current?.getBoundingClientRect();
    if (!r) return;
    const view = window.visualViewport;
    const [x0, w] = view ? [view.offsetLeft, view.width] : [0, window.innerWidth];
    const width = Math.min(WIDTH, w - 2 * MARGIN);
    const left = Math.max(x0 + MARGIN, Math.min(x0 + w - width - MARGIN, r.left + r.width / 2 - width / 2));
    setAt({ left, top: r.bottom + 6, width });
  }, []);

  useLayoutEffect(() => {
    if (open) place();
  }, [open, place]);

  useEffect(() => {
    if (!open) return;
    const outside = (e: globalThis.PointerEvent) => {
      if (!anchor.current?.contains(e.target as Node)) close();
    };
    const escape = (e: globalThis.KeyboardEvent) => e.key === "Escape" && close();
    document.addEventListener("pointerdown", outside);
    document.addEventListener("keydown", escape);
    window.addEventListener("scroll", place, true);
    window.addEventListener("resize", place);
    return () => {
      document.removeEventListener("pointerdown", outside);
      document.removeEventListener("keydown", escape);
      window.removeEventListener("scroll", place, true);
      window.removeEventListener("resize", place);
    };
  }, [open, close, place]);

  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      e.stopPropagation();
      if (open) close();
      else setPinned(true);
    } else if (e.key === "Escape" && open) {
      e.stopPropagation();
      close();
    }
  };
  const mouse = (e: PointerEvent) => e.pointerType === "mouse";

  return (
    <span
      ref={anchor}
      role="button"
      tabIndex={0}
      aria-label={text}
      aria-expanded={open}
      aria-describedby={open ? id : undefined}
      data-testid="definition-note"
      className="relative ml-1 inline-flex h-4 w-4 cursor-help items-center justify-center rounded-full border border-zinc-400 text-[10px] text-zinc-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500"
      onPointerEnter={(e) => mouse(e) && setHovered(true)}
      onPointerLeave={(e) => mouse(e) && setHovered(false)}
      onPointerDown={() => (fromPointer.current = true)}
      onFocus={() => {
        if (!fromPointer.current) setFocused(true);
      }}
      onBlur={() => {
        fromPointer.current = false;
        setFocused(false);
        setPinned(false);
      }}
      onClick={(e) => {
        // a click inside a <label> must not reach its control
        e.preventDefault();
        e.stopPropagation();
        fromPointer.current = false;
        if (pinned || focused) close();
        else setPinned(true);
      }}
      onKeyDown={onKeyDown}
    >
      ?
      {open && at ? (
        <span
          id={id}
          role="tooltip"
          data-testid="definition-popup"
          onClick={(e) => {
            // reading (or selecting) the text keeps it open
            e.preventDefault();
            e.stopPropagation();
          }}
          style={{ position: "fixed", left: at.left, top: at.top, width: at.width }}
          className="z-50 cursor-auto rounded border border-zinc-300 bg-white p-2 text-left text-xs font-normal leading-snug whitespace-normal text-zinc-800 shadow-lg dark:border-zinc-600 dark:bg-zinc-900 dark:text-zinc-100"
        >
          {text}
        </span>
      ) : null}
    </span>
  );
}
