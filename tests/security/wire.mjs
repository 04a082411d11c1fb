// A raw peer of the automerge-repo protocol over `ws`, for attacks the stock client cannot make:
// hand-built frames, floods, oversized messages, and watching the relay's error and close.
import WebSocket from "ws";
import { cbor } from "@automerge/automerge-repo";
import * as A from "@automerge/automerge";

// The stock client's own CBOR helpers, so frames are byte-for-byte what it sends.
const { encode, decode } = cbor;
export { A, encode, decode };

/** Resolves with the HTTP status of a refused upgrade, or 101 if it was accepted. */
export function upgradeStatus(url) {
  return new Promise(resolve => {
    const ws = new WebSocket(url);
    ws.on("unexpected-response", (_req, res) => { resolve(res.statusCode); ws.terminate(); });
    ws.on("open", () => { resolve(101); ws.close(); });
    ws.on("error", () => {});
  });
}

/** The answer to a WebSocket upgrade that is refused: `{ status, retryAfter, body }` (null if it opened). */
export function upgradeRefusal(url) {
  return new Promise(resolve => {
    const ws = new WebSocket(url);
    ws.on("unexpected-response", (_req, res) => {
      let body = "";
      res.on("data", chunk => { body += chunk; });
      res.on("end", () => { resolve({ status: res.statusCode, retryAfter: res.headers["retry-after"], body }); ws.terminate(); });
    });
    ws.on("open", () => { resolve(null); ws.close(); });
    ws.on("error", () => {});
  });
}

export class RawPeer {
  static async connect(url, name = "raw-peer") {
    const peer = new RawPeer(url, name);
    await new Promise((resolve, reject) => {
      peer.ws.once("open", resolve);
      peer.ws.once("unexpected-response", (_q, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      peer.ws.once("error", reject);
    });
    return peer;
  }

  constructor(url, name) {
    this.senderId = `${name}-${Math.random().toString(36).slice(2)}`;
    this.ws = new WebSocket(url);
    this.messages = [];
    this.waiters = [];
    this.closed = new Promise(resolve => this.ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })));
    this.ws.on("message", data => {
      let message;
      try { message = decode(data); } catch { message = { type: "undecodable" }; }
      this.messages.push(message);
      this.waiters = this.waiters.filter(w => !w(message));
    });
    this.ws.on("error", () => {});
  }

  send(message) { this.ws.send(encode(message)); }
  sendRaw(bytes) { this.ws.send(bytes); }

  /** The first message (already received or still to come) for which `match` holds. */
  next(match, timeout = 5000) {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching message in ${timeout} ms; got ${JSON.stringify(this.messages.map(m => m.type))}`)), timeout);
      this.waiters.push(m => { if (!match(m)) return false; clearTimeout(timer); resolve(m); return true; });
    });
  }

  async handshake() {
    this.send({ type: "join", senderId: this.senderId, peerMetadata: { isEphemeral: true }, supportedProtocolVersions: ["1"] });
    const peer = await this.next(m => m.type === "peer");
    this.relayId = peer.senderId;
    return this;
  }

  /** The close the relay sent, within `timeout` ms, with the time it took. */
  async closedWithin(timeout = 5000) {
    const started = Date.now();
    const result = await Promise.race([this.closed, new Promise(r => setTimeout(() => r(null), timeout))]);
    if (!result) throw new Error(`the relay did not close the connection within ${timeout} ms`);
    return { ...result, ms: Date.now() - started };
  }

  errors() { return this.messages.filter(m => m.type === "error").map(m => m.message); }

  request(documentId, doc = A.init()) {
    const [, data] = A.generateSyncMessage(doc, A.initSyncState());
    this.send({ type: "request", senderId: this.senderId, targetId: this.relayId, documentId, data });
  }

  /**
   * Sync `doc` with the relay until neither side has anything to send. Returns the document with
   * whatever the relay sent, and the heads the relay last reported holding.
   */
  async sync(documentId, doc, { timeout = 5000 } = {}) {
    let state = A.initSyncState();
    let relayHeads = [];
    let seen = this.messages.length;
    const deadline = Date.now() + timeout;
    for (;;) {
      let message;
      [state, message] = A.generateSyncMessage(doc, state);
      if (message) this.send({ type: "sync", senderId: this.senderId, targetId: this.relayId, documentId, data: message });
      const reply = await this.next((m) => this.messages.indexOf(m) >= seen && m.documentId === documentId && (m.type === "sync" || m.type === "doc-unavailable"), Math.max(1, deadline - Date.now())).catch(() => null);
      if (!reply) return { doc, relayHeads, state };
      seen = this.messages.indexOf(reply) + 1;
      if (reply.type === "doc-unavailable") return { doc, relayHeads, state, unavailable: true };
      relayHeads = A.decodeSyncMessage(reply.data).heads;
      [doc, state] = A.receiveSyncMessage(doc, state, reply.data);
      const [, more] = A.generateSyncMessage(doc, state);
      if (!more && A.getHeads(doc).every(h => relayHeads.includes(h))) return { doc, relayHeads, state };
    }
  }

  close() { this.ws.terminate(); }
}

/** A fresh automerge-repo document id (the bs58check form both sides use). */
export async function randomDocumentId() {
  const { generateAutomergeUrl, parseAutomergeUrl } = await import("@automerge/automerge-repo");
  return parseAutomergeUrl(generateAutomergeUrl()).documentId;
}

/** One HTTP call to the relay's API: `{ status, body, headers }`. */
export async function api(relay, method, path, { token, body } = {}) {
  const headers = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await fetch(relay.url + path, { method, headers, body: body ? JSON.stringify(body) : undefined });
  const text = await res.text();
  let json = null;
  try { json = JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, body: json, text, headers: res.headers };
}
