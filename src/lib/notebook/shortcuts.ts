/** Every keyboard shortcut of the notebook page, for the `?` panel. Keep in step with keyboard.ts. */
export interface Shortcut {
  keys: string[][];
  does: string;
}

export interface ShortcutGroup {
  title: string;
  items: Shortcut[];
}

const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
/** The label of the platform's command key. */
export const MOD = isMac ? '⌘' : 'Ctrl';

export const SHORTCUTS: ShortcutGroup[] = [
  {
    title: 'Cell selected (not editing)',
    items: [
      { keys: [['Enter']], does: 'Edit the cell' },
      { keys: [['j'], ['↓']], does: 'Next cell' },
      { keys: [['k'], ['↑']], does: 'Previous cell' },
      { keys: [['a']], does: 'Add a SQL cell above' },
      { keys: [['b']], does: 'Add a SQL cell below' },
      { keys: [['Alt', '↑']], does: 'Move cell up' },
      { keys: [['Alt', '↓']], does: 'Move cell down' },
      { keys: [['d', 'd'], [MOD, 'Shift', 'Backspace']], does: 'Delete cell' },
      { keys: [[MOD, 'Z']], does: 'Undo add, move or delete' },
      { keys: [[MOD, 'Shift', 'Z']], does: 'Redo' }
    ]
  },
  {
    title: 'Editing',
    items: [
      { keys: [['Esc']], does: 'Stop editing (select the cell)' },
      { keys: [['Shift', 'Enter'], [MOD, 'Enter']], does: 'Go to the next cell' },
      { keys: [[MOD, 'Z']], does: 'Undo your typing in this cell' }
    ]
  },
  {
    title: 'Text cells',
    items: [
      { keys: [[MOD, 'B']], does: 'Bold' },
      { keys: [[MOD, 'I']], does: 'Italic' },
      { keys: [[MOD, '`']], does: 'Code' },
      { keys: [['#', 'Space']], does: 'Heading (## for level 2)' },
      { keys: [['-', 'Space']], does: 'Bullet list' },
      { keys: [['1.', 'Space']], does: 'Numbered list' },
      { keys: [['>', 'Space']], does: 'Quote' },
      { keys: [['```']], does: 'Code block' }
    ]
  },
  {
    title: 'Anywhere',
    items: [{ keys: [['?']], does: 'Show or hide this panel' }]
  }
];
