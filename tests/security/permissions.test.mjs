// Issue 15 against a real relay: a client token's changes are held to the portal's permission
// table, and no one may write as another person's actor. Raw peers watch the relay's `error` and
// close code; the stock automerge-repo client shows a refused change never reaches the provider.
import { test } from "node:test";
import assert from "node:assert/strict";
import { eventually, withRelay } from "../e2e/harness.mjs";
import { A, RawPeer, api, upgradeRefusal } from "./wire.mjs";

const REFUSED = 4403;

const clientToken = (relay, portal) => relay.mint(["--role", "client", "--portal", portal, "--name", "Dana Client"]);

/** A portal as a provider's tool writes it (strings are Automerge text, as in the interop test). */
function portalShape() {
  return {
    schema: 1,
    kind: "portal",
    clientName: "Acme",
    welcome: "Welcome to the portal.",
    tasks: { p1: { title: "Configure SSO", done: false, assignee: new A.ImmutableString("provider"), createdAt: new Date("2026-11-01T10:00:00Z") } },
    people: {},
  };
}

/** The owner creates a portal and waits until the relay holds it. */
async function providerPortal(relay) {
  const owner = relay.jsRepo();
  const handle = owner.repo.create(portalShape());
  await eventually(() => headsOnRelay(relay, handle.documentId), heads => heads.length > 0, { message: "the relay holds the portal" });
  return { id: handle.documentId, handle, actor: A.getActorId(handle.doc()) };
}

/** The portal's heads as a fresh owner peer reads them from the relay. */
async function headsOnRelay(relay, id) {
  const peer = await (await RawPeer.connect(relay.wsUrlFor(relay.owner), "reader")).handshake();
  try {
    const { doc } = await peer.sync(id, A.init(), { timeout: 2000 });
    return [...A.getHeads(doc)].sort();
  } finally { peer.close(); }
}

/**
 * A raw peer with a token minted a moment ago: the running relay reads new tokens from its
 * access file within a second, and answers 401 until then.
 */
async function connectMinted(relay, token) {
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      return await RawPeer.connect(relay.wsUrlFor(token), "client");
    } catch (e) {
      if (!/upgrade refused: 401/.test(e.message) || Date.now() > deadline) throw e;
      await new Promise(r => setTimeout(r, 100));
    }
  }
}

/** A raw client device loads the portal, makes `edit` (as `actor`, if given), and sends it. */
async function clientSends(relay, token, id, edit, actor) {
  const started = Date.now();
  const peer = await (await connectMinted(relay, token)).handshake();
  // The whole portal arrives in the first replies; the rest of the wait is the sync settling.
  const { doc } = await peer.sync(id, A.init(), { timeout: 1000 });
  const loaded = Date.now();
  const device = actor ? A.clone(doc, { actor }) : A.clone(doc);
  const changed = A.change(device, edit);
  // A refused change gets an error and a close instead of a reply; an admitted one a reply.
  await Promise.race([peer.closed, peer.sync(id, changed, { timeout: 2000 })]);
  const close = await peer.closedWithin(200).catch(() => null);
  if (process.env.THRESHOLD_TIMINGS) console.log(`# load ${loaded - started} ms, verdict ${Date.now() - loaded} ms`);
  const errors = peer.errors();
  peer.close();
  return { close, errors };
}

const rewrites = [
  ["the welcome rewritten", d => { A.splice(d, ["welcome"], 0, 0, "Pay to IBAN XX00 0000. "); }, /welcome/],
  ["the client name rewritten", d => { A.splice(d, ["clientName"], 0, 4, "Evil"); }, /client name/],
  ["the stage set to alumni", d => { d.stage = "alumni"; }, /stage/],
  ["the kind changed", d => { d.kind = "workspace"; }, /kind/],
  ["the schema changed", d => { d.schema = 7; }, /version/],
  ["the task map replaced", d => { d.tasks = {}; }, /tasks/],
  ["the provider's task deleted", d => { delete d.tasks.p1; }, /tasks/],
  ["the provider's task marked done", d => { d.tasks.p1.done = true; }, /tasks/],
  ["a people entry forged", d => { d.people.aabbccdd = { name: "Pat Provider", side: "provider" }; }, /./],
];

test("a_client_tokens_rewrites_are_refused_with_4403_and_never_reach_the_provider", () => withRelay({ staticDir: null }, async relay => {
  const { id } = await providerPortal(relay);
  const before = await headsOnRelay(relay, id);
  for (const [what, edit, rule] of rewrites) {
    // A token of its own for each: a token refused three times cools down (the next test).
    const client = clientToken(relay, id);
    const { close, errors } = await clientSends(relay, client.token, id, edit);
    assert.equal(close?.code, REFUSED, `${what}: closed with ${JSON.stringify(close)}; errors ${JSON.stringify(errors)}`);
    assert.equal(errors.length, 1, `${what}: one error naming the rule`);
    assert.match(errors[0], rule, what);
  }
  assert.deepEqual(await headsOnRelay(relay, id), before, "nothing refused was kept");
  await relay.restart();
  assert.deepEqual(await headsOnRelay(relay, id), before, "nor stored");
}));

test("the_stock_js_client_with_a_client_token_cannot_change_the_portals_kind", () => withRelay({ staticDir: null }, async relay => {
  const { id, handle } = await providerPortal(relay);
  const client = relay.jsRepo(clientToken(relay, id).token);
  const theirs = await client.repo.find(`automerge:${id}`);
  theirs.change(d => { d.kind = "workspace"; A.splice(d, ["welcome"], 0, 0, "Pay to IBAN XX00 0000. "); });
  await new Promise(r => setTimeout(r, 1500));
  client.close();
  assert.equal(String(handle.doc().kind), "portal", "the provider never sees it");
  assert.ok(!String(handle.doc().welcome).includes("IBAN"));
  const fresh = relay.jsRepo();
  const stored = (await fresh.repo.find(`automerge:${id}`)).doc();
  fresh.close();
  assert.equal(String(stored.kind), "portal", "the relay never stored it");
}));

test("an_allowed_client_change_goes_through_and_a_mixed_one_is_refused_whole", () => withRelay({ staticDir: null }, async relay => {
  const { id, handle } = await providerPortal(relay);
  const client = clientToken(relay, id);
  // The assignee as the app writes it: a plain string, not text.
  const addTask = (d, key) => { d.tasks[key] = { title: "Send the logo", done: false, assignee: new A.ImmutableString("client"), createdAt: new Date() }; };
  const mixed = await clientSends(relay, client.token, id, d => { addTask(d, "c0"); A.splice(d, ["welcome"], 0, 0, "Pay to IBAN. "); });
  assert.equal(mixed.close?.code, REFUSED, JSON.stringify(mixed));
  const allowed = await clientSends(relay, client.token, id, d => addTask(d, "c1"));
  assert.deepEqual(allowed.errors, [], "the allowed change is not refused");
  await eventually(() => handle.doc().tasks.c1, t => t, { message: "the provider sees the client's task" });
  assert.equal(handle.doc().tasks.c0, undefined, "no part of the mixed change was kept");
  // The authors name the verified person behind each actor.
  const authors = await api(relay, "GET", `/api/portals/${id}/authors`, { token: relay.owner });
  assert.equal(authors.status, 200);
  const clientAuthors = authors.body.filter(a => a.role === "client");
  assert.equal(clientAuthors.length, 1, JSON.stringify(authors.body));
  assert.equal(clientAuthors[0].tokenId, client.id);
  assert.equal(clientAuthors[0].name, "Dana Client");
  assert.equal((await api(relay, "GET", `/api/portals/${id}/authors`, { token: client.token })).status, 200, "the portal's client reads it too");
}));

test("a_client_writing_under_the_providers_actor_is_refused_as_forged", () => withRelay({ staticDir: null }, async relay => {
  const { id, actor } = await providerPortal(relay);
  const client = clientToken(relay, id);
  const before = await headsOnRelay(relay, id);
  const forged = await clientSends(relay, client.token, id, d => {
    d.tasks.c1 = { title: "Looks like the provider's", done: false, assignee: new A.ImmutableString("client"), createdAt: new Date() };
  }, actor);
  assert.equal(forged.close?.code, REFUSED, JSON.stringify(forged));
  assert.match(forged.errors[0] ?? "", /claims to be by someone else/);
  assert.deepEqual(await headsOnRelay(relay, id), before);
}));

test("a_client_device_writing_past_the_models_text_limits_is_refused_and_nothing_of_it_is_kept", () => withRelay({ staticDir: null }, async relay => {
  const { id, handle } = await providerPortal(relay);
  const client = clientToken(relay, id);
  const task = (key, title) => d => { d.tasks[key] = { title, done: false, assignee: new A.ImmutableString("client"), createdAt: new Date() }; };
  // A title at the model's limit goes through; one past it, sent by a device that skips the
  // app's checks, is refused whole, in words, as text or as a plain string.
  const atLimit = await clientSends(relay, client.token, id, task("ok", "t".repeat(200)));
  assert.deepEqual(atLimit.errors, [], "a title at the limit is kept");
  for (const [key, title] of [["long", "x".repeat(30_000)], ["plain", new A.ImmutableString("y".repeat(201))]]) {
    const { close, errors } = await clientSends(relay, client.token, id, task(key, title));
    assert.equal(close?.code, REFUSED, `${key}: ${JSON.stringify({ close, errors })}`);
    assert.match(errors[0] ?? "", /task title can be at most 200 characters/, key);
  }
  await eventually(() => handle.doc().tasks.ok, t => t, { message: "the provider sees the task at the limit" });
  assert.equal(handle.doc().tasks.long, undefined);
  assert.equal(handle.doc().tasks.plain, undefined);
}));

test("a_token_refused_three_times_waits_before_it_connects_again_and_others_do_not", () => withRelay({ staticDir: null }, async relay => {
  const { id } = await providerPortal(relay);
  const client = clientToken(relay, id);
  for (const [what, edit] of rewrites.slice(0, 3)) {
    const { close } = await clientSends(relay, client.token, id, edit);
    assert.equal(close?.code, REFUSED, what);
  }
  // The fourth connection is refused at the upgrade, in words, with when to try again.
  const refused = await upgradeRefusal(relay.wsUrlFor(client.token));
  assert.equal(refused?.status, 429, JSON.stringify(refused));
  assert.ok(Number(refused.retryAfter) > 0, "Retry-After");
  assert.match(JSON.parse(refused.body).error, /refused 3 changes from this access within ten minutes; wait \d+ s/);
  // Another token of the same portal, and the provider, are not held back.
  const other = clientToken(relay, id);
  const allowed = await clientSends(relay, other.token, id, d => { d.tasks.c1 = { title: "Send the logo", done: false, assignee: new A.ImmutableString("client"), createdAt: new Date() }; });
  assert.deepEqual(allowed.errors, []);
  assert.ok((await headsOnRelay(relay, id)).length > 0, "the owner still connects");
}));

test("many_sockets_of_one_client_token_sending_refused_changes_at_once_get_three_judged_and_the_rest_refused_unjudged", () => withRelay({ staticDir: null }, async relay => {
  const { id } = await providerPortal(relay);
  const client = clientToken(relay, id);
  // Eight devices of one client token, each holding the portal, then each sending a forbidden
  // change at the same moment: judging means applying, and a refusal rebuilding the portal.
  const devices = [];
  for (let n = 0; n < 8; n++) {
    const peer = await (await connectMinted(relay, client.token)).handshake();
    const { doc } = await peer.sync(id, A.init(), { timeout: 5000 });
    assert.ok(doc.welcome, "the device holds the portal");
    devices.push({ peer, doc });
  }
  // Each device syncs its edit as a client does (the relay's answer to a refused change is an
  // error and a close, not a reply); all eight at once.
  const verdicts = await Promise.all(devices.map(async ({ peer, doc }) => {
    const changed = A.change(A.clone(doc), d => { A.splice(d, ["welcome"], 0, 0, "Pay to IBAN. "); });
    await Promise.race([peer.closed, peer.sync(id, changed, { timeout: 10_000 })]);
    const close = await peer.closedWithin(10_000);
    const verdict = { code: close.code, error: peer.errors()[0] ?? "" };
    peer.close();
    return verdict;
  }));
  assert.ok(verdicts.every(v => v.code === REFUSED), JSON.stringify(verdicts));
  const judged = verdicts.filter(v => /welcome/.test(v.error)).length;
  const unjudged = verdicts.filter(v => /takes none for \d+ s/.test(v.error)).length;
  assert.equal(judged, 3, JSON.stringify(verdicts));
  assert.equal(unjudged, 5, JSON.stringify(verdicts));
  // Every refusal counted: the cool-down is longer than a minute by now.
  const refused = await upgradeRefusal(relay.wsUrlFor(client.token));
  assert.equal(refused?.status, 429);
  assert.ok(Number(refused.retryAfter) > 60, `Retry-After ${refused.retryAfter}`);

  // The provider's tokens never cool down: a client can make the provider's writes break the
  // shape rules, and must not lock the provider out that way.
  for (let n = 0; n < 4; n++) {
    const owner = await (await RawPeer.connect(relay.wsUrlFor(relay.owner), "owner")).handshake();
    const { doc, state } = await owner.sync(id, A.init(), { timeout: 1000 });
    const changed = A.change(A.clone(doc), d => { d.kind = "workspace"; });
    owner.send({ type: "sync", senderId: owner.senderId, targetId: owner.relayId, documentId: id, data: A.generateSyncMessage(changed, state)[1] });
    assert.equal((await owner.closedWithin(10_000)).code, REFUSED);
    owner.close();
  }
  assert.equal(await upgradeRefusal(relay.wsUrlFor(relay.owner)), null, "the owner still connects");
}));
