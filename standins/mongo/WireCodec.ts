import { BSON } from 'bson';
import { DESERIALIZE_OPTIONS, SERIALIZE_OPTIONS } from './DocumentValues';
import { ProtocolError } from './ProtocolError';
import type { Doc } from './DevMongoServerTypes';

export const OP_REPLY = 1;
export const OP_QUERY = 2004;
export const OP_COMPRESSED = 2012;
export const OP_MSG = 2013;

const CHECKSUM_PRESENT = 1 << 0;
const MORE_TO_COME = 1 << 1;

export interface DecodedRequest {
  opCode: number;
  requestId: number;
  /** The command document (document sequences already merged in). */
  command: Doc;
  /** Database the command targets. */
  db: string;
  /** OP_MSG moreToCome: the client expects no reply. */
  moreToCome: boolean;
}

/** Encodes and decodes the few wire-protocol messages the driver uses (OP_MSG, legacy OP_QUERY/OP_REPLY). */
export class WireCodec {
  private static nextRequestId = 1;

  static readHeader(frame: Buffer): { length: number; requestId: number; responseTo: number; opCode: number } {
    return {
      length: frame.readInt32LE(0),
      requestId: frame.readInt32LE(4),
      responseTo: frame.readInt32LE(8),
      opCode: frame.readInt32LE(12),
    };
  }

  /** Decodes one framed message; BSON or layout problems throw (ProtocolError or a BSON error). */
  static decode(frame: Buffer): DecodedRequest {
    const header = WireCodec.readHeader(frame);
    if (header.opCode === OP_MSG) return WireCodec.decodeMsg(frame, header.requestId);
    if (header.opCode === OP_QUERY) return WireCodec.decodeQuery(frame, header.requestId);
    throw new ProtocolError(`unsupported opCode ${header.opCode}`);
  }

  private static readDoc(frame: Buffer, offset: number, end: number): { doc: Doc; next: number } {
    if (offset + 5 > end) throw new ProtocolError('truncated BSON document');
    const size = frame.readInt32LE(offset);
    if (size < 5 || offset + size > end) throw new ProtocolError('BSON document overruns message');
    const doc = BSON.deserialize(frame.subarray(offset, offset + size), DESERIALIZE_OPTIONS) as Doc;
    return { doc, next: offset + size };
  }

  private static readCString(frame: Buffer, offset: number, end: number): { value: string; next: number } {
    const zero = frame.indexOf(0, offset);
    if (zero < 0 || zero >= end) throw new ProtocolError('unterminated cstring');
    return { value: frame.toString('utf8', offset, zero), next: zero + 1 };
  }

  private static decodeMsg(frame: Buffer, requestId: number): DecodedRequest {
    if (frame.length < 21) throw new ProtocolError('OP_MSG too short');
    const flags = frame.readUInt32LE(16);
    // The CRC-32C trailer is optional and only guards against corruption on the wire; we skip it.
    const end = flags & CHECKSUM_PRESENT ? frame.length - 4 : frame.length;
    let offset = 20;
    let body: Doc | undefined;
    const sequences: Array<{ id: string; docs: Doc[] }> = [];
    while (offset < end) {
      const kind = frame.readUInt8(offset);
      offset += 1;
      if (kind === 0) {
        if (body) throw new ProtocolError('OP_MSG with two body sections');
        const r = WireCodec.readDoc(frame, offset, end);
        body = r.doc;
        offset = r.next;
      } else if (kind === 1) {
        if (offset + 4 > end) throw new ProtocolError('truncated document sequence');
        const size = frame.readInt32LE(offset);
        const seqEnd = offset + size;
        if (size < 5 || seqEnd > end) throw new ProtocolError('document sequence overruns message');
        const id = WireCodec.readCString(frame, offset + 4, seqEnd);
        let p = id.next;
        const docs: Doc[] = [];
        while (p < seqEnd) {
          const r = WireCodec.readDoc(frame, p, seqEnd);
          docs.push(r.doc);
          p = r.next;
        }
        sequences.push({ id: id.value, docs });
        offset = seqEnd;
      } else {
        throw new ProtocolError(`unknown OP_MSG section kind ${kind}`);
      }
    }
    if (!body) throw new ProtocolError('OP_MSG without body section');
    for (const seq of sequences) {
      const existing = Array.isArray(body[seq.id]) ? (body[seq.id] as Doc[]) : [];
      body[seq.id] = existing.concat(seq.docs);
    }
    const db = typeof body.$db === 'string' ? body.$db : 'admin';
    return { opCode: OP_MSG, requestId, command: body, db, moreToCome: (flags & MORE_TO_COME) !== 0 };
  }

  private static decodeQuery(frame: Buffer, requestId: number): DecodedRequest {
    const ns = WireCodec.readCString(frame, 20, frame.length);
    // numberToSkip and numberToReturn (8 bytes) are meaningless for commands.
    const { doc } = WireCodec.readDoc(frame, ns.next + 8, frame.length);
    const command = doc.$query && typeof doc.$query === 'object' ? (doc.$query as Doc) : doc;
    const dot = ns.value.indexOf('.');
    const db = dot > 0 ? ns.value.slice(0, dot) : ns.value;
    return { opCode: OP_QUERY, requestId, command, db, moreToCome: false };
  }

  private static header(length: number, responseTo: number, opCode: number): Buffer {
    const h = Buffer.alloc(16);
    h.writeInt32LE(length, 0);
    h.writeInt32LE(WireCodec.nextRequestId++ & 0x7fffffff, 4);
    h.writeInt32LE(responseTo, 8);
    h.writeInt32LE(opCode, 12);
    return h;
  }

  static encodeMsg(body: Doc, responseTo: number): Buffer {
    const bson = BSON.serialize(body, SERIALIZE_OPTIONS);
    const prefix = Buffer.alloc(5); // flagBits (0) + section kind 0
    const length = 16 + prefix.length + bson.length;
    return Buffer.concat([WireCodec.header(length, responseTo, OP_MSG), prefix, bson]);
  }

  static encodeReply(doc: Doc, responseTo: number): Buffer {
    const bson = BSON.serialize(doc, SERIALIZE_OPTIONS);
    const fields = Buffer.alloc(20); // responseFlags, cursorID (int64), startingFrom, numberReturned
    fields.writeInt32LE(1, 16);
    const length = 16 + fields.length + bson.length;
    return Buffer.concat([WireCodec.header(length, responseTo, OP_REPLY), fields, bson]);
  }

  /** An OP_MSG request, used by the liveness probe in ensureDevMongo. */
  static encodeRequest(body: Doc): Buffer {
    return WireCodec.encodeMsg(body, 0);
  }

  /** Reads the body of an OP_MSG reply. */
  static decodeMsgBody(frame: Buffer): Doc {
    return WireCodec.decodeMsg(frame, 0).command;
  }
}
