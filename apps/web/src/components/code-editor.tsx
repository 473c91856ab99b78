'use client';

import { javascript } from '@codemirror/lang-javascript';
import { MergeView } from '@codemirror/merge';
import { EditorState } from '@codemirror/state';
import { basicSetup, EditorView } from 'codemirror';
import { useEffect, useRef } from 'react';

const theme = EditorView.theme({
  '&': { fontSize: '13px', backgroundColor: '#fff' },
  '.cm-content': { fontFamily: 'var(--font-mono)' },
  '.cm-gutters': { backgroundColor: 'var(--color-ink-50)', color: 'var(--color-ink-500)', border: 'none' },
  '&.cm-focused': { outline: '2px solid var(--color-brand-500)' },
});

/** CodeMirror 6 with JavaScript highlighting, bundled with the app (nothing from a CDN). */
export function CodeEditor({
  value,
  onChange,
  label,
  readOnly = false,
  minHeight = '18rem',
}: {
  value: string;
  onChange?: (value: string) => void;
  label: string;
  readOnly?: boolean;
  minHeight?: string;
}) {
  const parent = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  // biome-ignore lint/correctness/useExhaustiveDependencies: the editor is created once; `value` is synced below
  useEffect(() => {
    if (!parent.current) return;
    const editor = new EditorView({
      parent: parent.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          javascript(),
          theme,
          EditorView.theme({ '.cm-content, .cm-gutter': { minHeight } }),
          EditorView.contentAttributes.of({ 'aria-label': label }),
          EditorState.readOnly.of(readOnly),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current?.(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => editor.destroy();
  }, []);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div ref={parent} className="overflow-hidden rounded-lg border border-ink-300" />;
}

/** Two versions side by side with their differences marked. */
export function CodeDiff({ before, after, label }: { before: string; after: string; label: string }) {
  const parent = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!parent.current) return;
    // Read-only but still focusable, so each pane can be scrolled and read with the keyboard.
    const readOnly = [basicSetup, javascript(), theme, EditorState.readOnly.of(true)];
    const merge = new MergeView({
      parent: parent.current,
      a: {
        doc: before,
        extensions: [
          ...readOnly,
          EditorView.contentAttributes.of({ 'aria-label': `${label}: before`, tabindex: '0' }),
        ],
      },
      b: {
        doc: after,
        extensions: [
          ...readOnly,
          EditorView.contentAttributes.of({ 'aria-label': `${label}: after`, tabindex: '0' }),
        ],
      },
    });
    return () => merge.destroy();
  }, [before, after, label]);
  return <div ref={parent} className="overflow-x-auto rounded-lg border border-ink-300" />;
}
