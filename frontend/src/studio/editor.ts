// CodeMirror 6 editors bound to Y.Text with y-codemirror.next: multi-line shot prompts and the one-line title.
import * as Y from 'yjs'
import { Compartment, EditorState, type Extension } from '@codemirror/state'
import { EditorView, drawSelection, keymap, placeholder as placeholderExt } from '@codemirror/view'
import { defaultKeymap, indentWithTab } from '@codemirror/commands'
import { yCollab, ySyncAnnotation, yUndoManagerKeymap } from 'y-codemirror.next'
import type { Awareness } from 'y-protocols/awareness'

export interface CollabEditor {
  view: EditorView
  setEditable(editable: boolean): void
  destroy(): void
}

const darkTheme = EditorView.theme(
  {
    '&': { color: 'var(--text)', backgroundColor: 'transparent', fontSize: '15px' },
    '.cm-content': { caretColor: 'var(--accent)', fontFamily: 'var(--font-ui)', lineHeight: '1.6', padding: '10px 0' },
    '.cm-line': { padding: '0 14px' },
    '&.cm-focused': { outline: 'none' },
    '&.cm-focused .cm-cursor': { borderLeftColor: 'var(--accent)', borderLeftWidth: '2px' },
    '&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection': { backgroundColor: 'rgba(124, 92, 255, 0.35) !important' },
    '.cm-placeholder': { color: 'var(--text-faint)', fontStyle: 'italic' },
    // always show who a remote caret belongs to (y-codemirror.next only shows it on hover)
    '.cm-ySelectionCaret .cm-ySelectionInfo': {
      opacity: 1,
      fontFamily: 'var(--font-ui)',
      fontWeight: '600',
      fontSize: '11px',
      padding: '1px 5px',
      borderRadius: '4px 4px 4px 0',
      top: '-1.45em',
      color: '#0b0b12',
    },
    '.cm-ySelectionCaret': { borderLeftWidth: '2px', borderRightWidth: '0' },
  },
  { dark: true },
)

function editableExt(editable: boolean): Extension {
  return [EditorView.editable.of(editable), EditorState.readOnly.of(!editable)]
}

function buildEditor(parent: HTMLElement, ytext: Y.Text, awareness: Awareness, editable: boolean, extra: Extension, label: string): CollabEditor {
  const undoManager = new Y.UndoManager(ytext)
  const editability = new Compartment()
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: ytext.toString(),
      extensions: [
        keymap.of([...yUndoManagerKeymap, ...defaultKeymap, indentWithTab]),
        drawSelection(),
        darkTheme,
        editability.of(editableExt(editable)),
        EditorView.contentAttributes.of({ 'aria-label': label }),
        extra,
        yCollab(ytext, awareness, { undoManager }),
      ],
    }),
  })
  return {
    view,
    setEditable(e: boolean) {
      view.dispatch({ effects: editability.reconfigure(editableExt(e)) })
    },
    destroy() {
      view.destroy()
      undoManager.destroy()
    },
  }
}

/** Multi-line prompt editor for one shot. */
export function promptEditor(parent: HTMLElement, ytext: Y.Text, awareness: Awareness, editable: boolean): CollabEditor {
  return buildEditor(parent, ytext, awareness, editable, [EditorView.lineWrapping, placeholderExt('Describe the shot: subject, action, camera, light…')], 'Shot prompt')
}

/** One-line title editor: Enter blurs, local line breaks are refused (remote text is always accepted). */
export function titleEditor(parent: HTMLElement, ytext: Y.Text, awareness: Awareness, editable: boolean): CollabEditor {
  const singleLine = EditorState.transactionFilter.of((tr) =>
    tr.docChanged && !tr.annotation(ySyncAnnotation) && tr.newDoc.lines > 1 ? [] : tr,
  )
  const enter = keymap.of([{ key: 'Enter', run: (v) => (v.contentDOM.blur(), true) }])
  return buildEditor(parent, ytext, awareness, editable, [enter, singleLine, placeholderExt('Untitled scene')], 'Scene title')
}
