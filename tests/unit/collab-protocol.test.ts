import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import { ProtocolError, decodeMessage, encodeSyncStep1, encodeUpdate, inspectUpdate } from '../../server/collab/protocol.js';

describe('decodeMessage', () => {
  it('reads sync step 1, updates and awareness as y-protocols encodes them', () => {
    const doc = new Y.Doc();
    doc.getText('t').insert(0, 'hi');
    expect(decodeMessage(encodeSyncStep1(doc)).type).toBe('sync-step1');
    const update = Y.encodeStateAsUpdate(doc);
    const decoded = decodeMessage(encodeUpdate(update));
    expect(decoded).toEqual({ type: 'update', update });
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, 1);
    encoding.writeVarUint8Array(enc, new Uint8Array([0]));
    expect(decodeMessage(encoding.toUint8Array(enc)).type).toBe('awareness');
  });

  it.each([
    ['empty', new Uint8Array([])],
    ['unknown type', new Uint8Array([9])],
    ['unknown sync type', new Uint8Array([0, 7, 0])],
    ['truncated length', new Uint8Array([0, 2, 0xff, 0xff, 0xff, 0xff, 0x0f])],
    ['varint overflow', new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff])],
    ['text', new TextEncoder().encode('not yjs at all')],
    ['trailing bytes', new Uint8Array([0, 0, 1, 0, 42])]
  ])('refuses %s with a ProtocolError', (_, bytes) => {
    expect(() => decodeMessage(bytes)).toThrow(ProtocolError);
  });
});

describe('inspectUpdate', () => {
  it('tells empty updates from real ones', () => {
    const doc = new Y.Doc();
    expect(inspectUpdate(Y.encodeStateAsUpdate(doc)).empty).toBe(true);
    doc.getText('t').insert(0, 'x');
    expect(inspectUpdate(Y.encodeStateAsUpdate(doc)).empty).toBe(false);
  });

  it('refuses bytes that are not a Yjs update', () => {
    expect(() => inspectUpdate(new Uint8Array([5, 200, 1, 2, 3]))).toThrow(ProtocolError);
  });
});
