/**
 * The y-websocket wire protocol, as `y-protocols` encodes it: a varint message type, then
 * the payload. Decoding is strict: anything that does not parse is a malformed message
 * (close code 1007), never a crash.
 */
import * as Y from 'yjs';
import * as encoding from 'lib0/encoding';
import * as decoding from 'lib0/decoding';
import * as syncProtocol from 'y-protocols/sync';
import * as awarenessProtocol from 'y-protocols/awareness';
import { errorMessage } from '../../kernels/error-message.js';

export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;

/** Websocket close codes: one list for the browser and the server (src/lib/contract/close-codes.ts). */
export { CLOSE } from '../../src/lib/contract/close-codes.js';

/** A message that does not follow the protocol. */
export class ProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProtocolError';
  }
}

/** What a client sent, decoded. */
export type ClientMessage =
  | { type: 'sync-step1'; stateVector: Uint8Array }
  | { type: 'update'; update: Uint8Array }
  | { type: 'awareness'; update: Uint8Array }
  | { type: 'query-awareness' }
  | { type: 'auth' };

/** Decode one frame. Throws ProtocolError on anything malformed or trailing. */
export function decodeMessage(data: Uint8Array): ClientMessage {
  if (data.length === 0) throw new ProtocolError('empty message');
  try {
    const decoder = decoding.createDecoder(data);
    const type = decoding.readVarUint(decoder);
    let message: ClientMessage;
    switch (type) {
      case MESSAGE_SYNC: {
        const syncType = decoding.readVarUint(decoder);
        const payload = decoding.readVarUint8Array(decoder);
        if (syncType === syncProtocol.messageYjsSyncStep1) message = { type: 'sync-step1', stateVector: payload };
        else if (syncType === syncProtocol.messageYjsSyncStep2 || syncType === syncProtocol.messageYjsUpdate) message = { type: 'update', update: payload };
        else throw new ProtocolError(`unknown sync message ${syncType}`);
        break;
      }
      case MESSAGE_AWARENESS:
        message = { type: 'awareness', update: decoding.readVarUint8Array(decoder) };
        break;
      case MESSAGE_QUERY_AWARENESS:
        message = { type: 'query-awareness' };
        break;
      case MESSAGE_AUTH:
        message = { type: 'auth' };
        return message; // auth payloads are not ours to parse; ignored
      default:
        throw new ProtocolError(`unknown message type ${type}`);
    }
    if (decoding.hasContent(decoder)) throw new ProtocolError('trailing bytes after message');
    return message;
  } catch (err) {
    if (err instanceof ProtocolError) throw err;
    throw new ProtocolError(`truncated or malformed message: ${errorMessage(err)}`);
  }
}

/** An update decoded once, for every check that reads it. */
export type DecodedUpdate = ReturnType<typeof Y.decodeUpdate>;

/**
 * Check that `update` parses as a Yjs update and say whether it carries anything; the
 * decoded form goes on to the hooks that read it. Throws ProtocolError when it does not parse.
 */
export function inspectUpdate(update: Uint8Array): { empty: boolean; decoded: DecodedUpdate } {
  try {
    const decoded = Y.decodeUpdate(update);
    return { empty: decoded.structs.length === 0 && decoded.ds.clients.size === 0, decoded };
  } catch (err) {
    throw new ProtocolError(`malformed Yjs update: ${errorMessage(err)}`);
  }
}

/** A sync-step-1 message carrying `doc`'s state vector. */
export function encodeSyncStep1(doc: Y.Doc): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeSyncStep1(encoder, doc);
  return encoding.toUint8Array(encoder);
}

/** The sync-step-2 reply to a client's state vector: what `doc` has that the client lacks. */
export function encodeSyncStep2(doc: Y.Doc, stateVector: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  try {
    syncProtocol.writeSyncStep2(encoder, doc, stateVector);
  } catch (err) {
    throw new ProtocolError(`malformed state vector: ${errorMessage(err)}`);
  }
  return encoding.toUint8Array(encoder);
}

/** An update message to broadcast. */
export function encodeUpdate(update: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_SYNC);
  syncProtocol.writeUpdate(encoder, update);
  return encoding.toUint8Array(encoder);
}

/** An awareness message for `clients` of `awareness`. */
export function encodeAwareness(awareness: awarenessProtocol.Awareness, clients: number[]): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(encoder, awarenessProtocol.encodeAwarenessUpdate(awareness, clients));
  return encoding.toUint8Array(encoder);
}
