import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as Y from 'yjs';
import { openStore, type Db } from '../../server/store/index.js';
import { FileUpdateLog } from '../../server/store/file-update-log.js';
import { SqlUpdateLog } from '../../server/store/sql-update-log.js';
import type { UpdateLog } from '../../server/store/update-log.js';
import { setLogLevel } from '../../server/log.js';
import { createTestDatabase, type TestDatabase } from '../support/postgres.js';

/** Rebuild a document from what a log returns, as the server does. */
function rebuild(updates: Uint8Array[]): Y.Doc {
  const doc = new Y.Doc();
  for (const u of updates) Y.applyUpdate(doc, u);
  return doc;
}

/** A document that records every update it makes, as a client's edits reach the server. */
function typist() {
  const doc = new Y.Doc();
  const updates: Uint8Array[] = [];
  doc.on('update', (u: Uint8Array) => updates.push(u));
  return { doc, text: doc.getText('t'), take: () => updates.splice(0) };
}

const variants = [
  { name: 'file log over PGlite (embedded)', postgres: false },
  { name: 'SQL log over PostgreSQL', postgres: true }
];

describe.each(variants)('update log: $name', ({ postgres }) => {
  let db: Db;
  let log: UpdateLog;
  let database: TestDatabase | null = null;
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-log-'));
  let n = 0;

  beforeAll(async () => {
    setLogLevel('error');
    if (postgres) database = await createTestDatabase();
    db = await openStore({ databaseUrl: database?.url ?? null, dataDir });
    log = postgres ? new SqlUpdateLog(db) : new FileUpdateLog(join(dataDir, 'updates'), db);
    await db.query(`insert into workspaces (id, name) values ('w', 'W')`);
  });
  afterAll(async () => {
    await log?.close();
    await db?.close();
    await database?.drop();
  });

  async function notebook(): Promise<string> {
    const id = `nb${++n}`;
    await db.query(`insert into notebooks (id, workspace_id) values ($1, 'w')`, [id]);
    return id;
  }

  it('returns every appended update', async () => {
    const id = await notebook();
    const t = typist();
    for (let i = 0; i < 50; i++) {
      t.text.insert(t.text.length, String(i % 10));
      await log.append(id, t.take());
    }
    expect(rebuild(await log.load(id)).getText('t').toString()).toBe(t.text.toString());
  });

  it('compaction folds the log into one snapshot and loses nothing', async () => {
    const id = await notebook();
    const t = typist();
    t.text.insert(0, 'hello');
    await log.append(id, t.take());
    await log.compact(id);
    t.text.insert(5, ' world');
    await log.append(id, t.take());
    const loaded = await log.load(id);
    expect(loaded.length).toBe(2);
    expect(rebuild(loaded).getText('t').toString()).toBe('hello world');
    await log.compact(id);
    expect((await log.load(id)).length).toBe(1);
  });

  it('appends made while a compaction runs are kept', async () => {
    const id = await notebook();
    const t = typist();
    t.text.insert(0, 'a'.repeat(1000));
    await log.append(id, t.take());
    const compacting = log.compact(id);
    for (let i = 0; i < 20; i++) {
      t.text.insert(0, 'b');
      await log.append(id, t.take());
    }
    await compacting;
    await log.compact(id);
    for (let i = 0; i < 5; i++) {
      t.text.insert(0, 'c');
      await log.append(id, t.take());
    }
    expect(rebuild(await log.load(id)).getText('t').toString()).toBe(t.text.toString());
  });

  it('keeps notebooks apart', async () => {
    const a = await notebook();
    const b = await notebook();
    const ta = typist();
    const tb = typist();
    ta.text.insert(0, 'A');
    tb.text.insert(0, 'B');
    await log.append(a, ta.take());
    await log.append(b, tb.take());
    expect(rebuild(await log.load(a)).getText('t').toString()).toBe('A');
    expect(rebuild(await log.load(b)).getText('t').toString()).toBe('B');
  });
});

describe('file update log: crash recovery', () => {
  let db: Db;
  let log: FileUpdateLog;
  const dataDir = mkdtempSync(join(tmpdir(), 'cairn-torn-'));

  beforeAll(async () => {
    setLogLevel('error');
    db = await openStore({ databaseUrl: null, dataDir });
    log = new FileUpdateLog(join(dataDir, 'updates'), db);
    await db.query(`insert into workspaces (id, name) values ('w', 'W')`);
    await db.query(`insert into notebooks (id, workspace_id) values ('torn', 'w')`);
  });
  afterAll(async () => {
    await log?.close();
    await db?.close();
  });

  it('cuts off a torn last record (a crash mid-write) and keeps appending after it', async () => {
    const id = 'torn';
    const t = typist();
    t.text.insert(0, 'whole');
    await log.append(id, t.take());
    await log.close(); // release the file, as a crashed process would have
    const file = join(dataDir, 'updates', `${id}.log`);
    const whole = statSync(file).size;
    appendFileSync(file, Buffer.from([40, 0, 0, 0, 1, 2, 3, 4, 9, 9])); // header promises 40 bytes, 2 follow
    expect(rebuild(await log.load(id)).getText('t').toString()).toBe('whole');
    expect(statSync(file).size).toBe(whole);
    t.text.insert(5, ' again');
    await log.append(id, t.take());
    expect(rebuild(await log.load(id)).getText('t').toString()).toBe('whole again');
    expect(readdirSync(join(dataDir, 'updates')).filter((f) => f.startsWith(`${id}.`))).toEqual([`${id}.log`]);
  });
});
