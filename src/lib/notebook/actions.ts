/**
 * What a user does to a notebook's structure. Each action is one transaction with
 * {@link LOCAL_ORIGIN}, so it is one step of structural undo; focus moves after it commits.
 * A reader's session ({@link NotebookSession.readOnly}) changes nothing: every action is a
 * no-op for them, whatever reached it (a button, a key, an undo).
 */
import { deleteCell, freshName, insertCell, moveCell, setCellEngine, setCellField, setCellTtl, setConfigValue, setConfigValues, setTitle, type CellKind, type ConfigValue } from '$doc';
import { tick } from 'svelte';
import { focusCell } from './focus';
import type { NotebookSession } from './session.svelte';
import { LOCAL_ORIGIN } from './undo';
import { applyReportShow, type ReportShow } from './publish';
import { checkInputType, defaultInputValue, readInputConfig, type InputType } from '$lib/contract/inputs.js';

/** The base a new cell's name is made from (`query1`, `value1`, …); text cells have no name. */
const NAME_BASE: Record<CellKind, string | null> = { sql: 'query', js: 'value', chart: 'chart', input: 'input', text: null };

/** Add a cell of `kind` at display position `index` and focus it. Returns its id (null for a reader). */
export async function addCell(s: NotebookSession, kind: CellKind, index: number, focus: 'cell' | 'editor' = 'cell'): Promise<string | null> {
  if (s.readOnly) return null;
  const base = NAME_BASE[kind];
  s.undo.stopCapturing();
  const id = insertCell(s.doc, { kind, name: base ? freshName(s.doc, base) : '' }, index, LOCAL_ORIGIN);
  s.undo.stopCapturing();
  await tick();
  focusCell(id, focus);
  return id;
}

/** Delete a cell, offer to undo it, and keep keyboard focus near where it was. */
export async function removeCell(s: NotebookSession, id: string): Promise<void> {
  if (s.readOnly) return;
  const index = s.state.indexOf(id);
  s.undo.stopCapturing();
  deleteCell(s.doc, id, LOCAL_ORIGIN);
  s.undo.stopCapturing();
  s.toasts.show('Cell deleted', { label: 'Undo', run: () => undoStructural(s) });
  await tick();
  const neighbour = s.state.at(Math.min(index, s.state.cells.length - 1));
  if (neighbour) focusCell(neighbour.id);
}

/** Move a cell by `delta` positions (−1 up, +1 down), keeping focus on it. */
export async function moveBy(s: NotebookSession, id: string, delta: number): Promise<void> {
  const from = s.state.indexOf(id);
  if (from < 0) return;
  await moveTo(s, id, from + delta);
}

/** Move a cell to display position `to`, keeping focus on it. */
export async function moveTo(s: NotebookSession, id: string, to: number): Promise<void> {
  if (s.readOnly) return;
  const from = s.state.indexOf(id);
  if (from < 0 || to < 0 || to >= s.state.cells.length || to === from) return;
  s.undo.stopCapturing();
  moveCell(s.doc, id, to, LOCAL_ORIGIN);
  s.undo.stopCapturing();
  await tick();
  focusCell(id);
}

/** Rename a cell (typing merges into one undo step). */
export function renameCell(s: NotebookSession, id: string, name: string): void {
  if (s.readOnly) return;
  setCellField(s.doc, id, 'name', name, LOCAL_ORIGIN);
}

/**
 * How a cell shows in the published report (with code, without, hidden): `hidden` and, for
 * SQL and JS, `showCode`, written in one transaction so collaborators never see half of it.
 */
export function setReportShow(s: NotebookSession, id: string, show: ReportShow): void {
  if (s.readOnly) return;
  s.undo.stopCapturing();
  applyReportShow(s.doc, id, show, LOCAL_ORIGIN);
  s.undo.stopCapturing();
}

/** Run a SQL cell on another engine ('browser' or a connection id), as one undo step. */
export function setEngine(s: NotebookSession, id: string, engine: string): void {
  if (s.readOnly) return;
  s.undo.stopCapturing();
  setCellEngine(s.doc, id, engine, LOCAL_ORIGIN);
  s.undo.stopCapturing();
}

/** How long a server cell's cached result stays fresh, for everyone. */
export function setTtl(s: NotebookSession, id: string, seconds: number): void {
  if (s.readOnly) return;
  s.undo.stopCapturing();
  setCellTtl(s.doc, id, seconds, LOCAL_ORIGIN);
  s.undo.stopCapturing();
}

/** Change one key of a chart or input cell's config. */
export function setConfig(s: NotebookSession, id: string, key: string, value: ConfigValue): void {
  if (s.readOnly) return;
  setConfigValue(s.doc, id, key, value, LOCAL_ORIGIN);
}

/**
 * An input's control changed: its value goes into the document (collaborators see it at
 * once), then the input and the cells that read it run in every open copy.
 */
export function setInputValue(s: NotebookSession, id: string, value: ConfigValue): void {
  if (s.readOnly) return;
  setConfigValues(s.doc, id, { value }, LOCAL_ORIGIN);
  s.runner.run(id);
}

/** Change an input's type, with a value of the new type when the old one no longer fits. */
export function setInputType(s: NotebookSession, id: string, type: InputType, current: Record<string, ConfigValue>): void {
  if (s.readOnly) return;
  const config = { ...current, type };
  const read = readInputConfig(config);
  const fits = read.ok && checkInputType(type, current.value).ok;
  const value = fits ? current.value : read.ok ? (defaultInputValue(read.config) as ConfigValue) : null;
  setConfigValues(s.doc, id, { type, value }, LOCAL_ORIGIN);
}

/** Change the notebook's title. */
export function renameNotebook(s: NotebookSession, title: string): void {
  if (s.readOnly) return;
  setTitle(s.doc, title, LOCAL_ORIGIN);
}

/** Undo this user's last structural change; focus the cell it brought back, if any. */
export async function undoStructural(s: NotebookSession): Promise<void> {
  if (s.readOnly) return;
  const before = new Set(s.state.cells.map((c) => c.id));
  s.undo.undo();
  await tick();
  const restored = s.state.cells.find((c) => !before.has(c.id));
  if (restored) focusCell(restored.id);
}

/** Redo the last undone structural change. */
export function redoStructural(s: NotebookSession): void {
  if (s.readOnly) return;
  s.undo.redo();
}
