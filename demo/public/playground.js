// The playground page: one Slack channel drawn from the playground's event stream.
// No framework and no build step. Every piece of text from Quorum or the user is put
// into the page with textContent or a text node, never parsed as HTML.
'use strict';

const state = {
  users: [],
  me: '',
  /** ts → message (roots and replies) */
  messages: new Map(),
  /** thread ts → reply ts, in order */
  replies: new Map(),
  /** What the channel shows, in arrival order: roots, ephemerals and notes. */
  items: [],
};

const $ = (id) => document.getElementById(id);

/** An element with attributes and children (strings become text nodes). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null && value !== false) el.setAttribute(key, value);
  }
  el.append(...children.filter((c) => c !== undefined && c !== null));
  return el;
}

// ---- Slack mrkdwn → DOM ----------------------------------------------------------

/** Slack escapes exactly these three in message text. */
const decode = (text) => text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/**
 * Shortcodes as Slack shows them: the ones Quorum writes (grep src/ for `:[a-z_]+:`) and
 * common ones. A code not in the table stays as typed, as Slack leaves an unknown one.
 */
const EMOJI = {
  x: '❌',
  warning: '⚠️',
  hourglass_flowing_sand: '⏳',
  hourglass: '⌛',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  ballot_box_with_check: '☑️',
  heavy_multiplication_x: '✖️',
  rotating_light: '🚨',
  fire: '🔥',
  red_circle: '🔴',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  large_blue_circle: '🔵',
  white_circle: '⚪',
  information_source: 'ℹ️',
  bell: '🔔',
  no_bell: '🔕',
  mute: '🔇',
  lock: '🔒',
  unlock: '🔓',
  key: '🔑',
  wrench: '🔧',
  hammer_and_wrench: '🛠️',
  gear: '⚙️',
  clipboard: '📋',
  memo: '📝',
  mag: '🔍',
  link: '🔗',
  pushpin: '📌',
  package: '📦',
  floppy_disk: '💾',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  stopwatch: '⏱️',
  alarm_clock: '⏰',
  calendar: '📅',
  recycle: '♻️',
  repeat: '🔁',
  arrows_counterclockwise: '🔄',
  arrow_forward: '▶️',
  double_vertical_bar: '⏸️',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  construction: '🚧',
  exclamation: '❗',
  question: '❓',
  bangbang: '‼️',
  boom: '💥',
  skull: '💀',
  zzz: '💤',
  eyes: '👀',
  point_right: '👉',
  raised_hands: '🙌',
  tada: '🎉',
  rocket: '🚀',
  ok_hand: '👌',
  wave: '👋',
  '+1': '👍',
  thumbsup: '👍',
  '-1': '👎',
  thumbsdown: '👎',
  smile: '😄',
  slightly_smiling_face: '🙂',
  thinking_face: '🤔',
  sweat_smile: '😅',
  pray: '🙏',
  heart: '❤️',
  sparkles: '✨',
  star: '⭐',
  sunny: '☀️',
  cloud: '☁️',
  zap: '⚡',
  ghost: '👻',
  robot_face: '🤖',
};

/** `:name:` → its emoji when the table has it; otherwise the text as it stands. */
const emojify = (text) =>
  text.replace(/:([a-z0-9_+-]+):/g, (code, name) =>
    Object.hasOwn(EMOJI, name) ? EMOJI[name] : code,
  );

/** Text outside code: entities decoded, shortcodes shown as emoji. */
const prose = (text) => emojify(decode(text));

/**
 * A code span, or the content of `*bold*` / `_italic_` / `~strike~`: a code span inside
 * one is taken whole, so a delimiter inside code neither opens nor closes formatting.
 */
const CODE = '`[^`\\n]+`';
const span = (d) => {
  const e = `\\${d}`;
  return `(?<![\\w${e}])${e}(?=\\S)((?:${CODE}|[^${e}\`\\n]|\`(?![^\`\\n]*\`))+?)${e}(?![\\w${e}])`;
};
const INLINE = new RegExp(
  `\`([^\`\\n]+)\`|<([^<>\\n]+)>|${span('*')}|${span('_')}|${span('~')}`,
  'g',
);

function inline(parent, text) {
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    if (m.index > last) parent.append(prose(text.slice(last, m.index)));
    // Slack shows code verbatim: no formatting, no emoji.
    if (m[1] !== undefined) parent.append(h('code', {}, decode(m[1])));
    else if (m[2] !== undefined) parent.append(control(m[2]));
    else {
      const tag = m[3] !== undefined ? 'strong' : m[4] !== undefined ? 'em' : 's';
      const el = h(tag);
      inline(el, m[3] ?? m[4] ?? m[5]);
      parent.append(el);
    }
    last = m.index + m[0].length;
  }
  if (last < text.length) parent.append(prose(text.slice(last)));
}

/** `<@U123>`, `<#C123|name>`, `<!date^…|fallback>`, `<!here>`, `<https://…|text>`. */
function control(inner) {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? undefined : decode(inner.slice(bar + 1));
  if (/^@[UW]/.test(target))
    return h('span', { class: 'mention' }, `@${label ?? userName(target.slice(1))}`);
  if (target.startsWith('#C'))
    return h('span', { class: 'mention' }, `#${label ?? target.slice(1)}`);
  if (target.startsWith('!date^')) return slackDate(target, label);
  if (target.startsWith('!subteam^'))
    return h('span', { class: 'mention' }, `@${label ?? target.slice(9)}`);
  if (target.startsWith('!')) return h('span', { class: 'mention' }, `@${target.slice(1)}`);
  const url = decode(target);
  if (/^(https?:\/\/|mailto:)/i.test(url)) {
    return h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, label ?? url);
  }
  return document.createTextNode(label ?? url);
}

/** `<!date^1700000000^{date_short_pretty} at {time}|fallback>` in the reader's time zone. */
function slackDate(target, fallback) {
  const [, seconds, format = '{date_short_pretty} {time}'] = target.split('^');
  const date = new Date(Number(seconds) * 1000);
  if (Number.isNaN(date.getTime())) return document.createTextNode(fallback ?? '');
  const day = (d) => d.toDateString();
  const now = new Date();
  const yesterday = new Date(now.getTime() - 86_400_000);
  const tomorrow = new Date(now.getTime() + 86_400_000);
  const pretty =
    day(date) === day(now)
      ? 'today'
      : day(date) === day(yesterday)
        ? 'yesterday'
        : day(date) === day(tomorrow)
          ? 'tomorrow'
          : date.toLocaleDateString(undefined, { month: 'short', day: 'numeric', year: 'numeric' });
  const tokens = {
    date_num: date.toISOString().slice(0, 10),
    date: date.toLocaleDateString(undefined, { month: 'long', day: 'numeric', year: 'numeric' }),
    date_short: date.toLocaleDateString(undefined, {
      month: 'short',
      day: 'numeric',
      year: 'numeric',
    }),
    date_long: date.toLocaleDateString(undefined, { dateStyle: 'full' }),
    date_pretty: pretty,
    date_short_pretty: pretty,
    date_long_pretty: pretty,
    time: date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }),
    time_secs: date.toLocaleTimeString(),
  };
  const text = format.replace(/\{(\w+)\}/g, (all, name) => tokens[name] ?? all);
  return h('time', { datetime: date.toISOString(), title: fallback }, text);
}

/** mrkdwn: ``` blocks, then inline formatting; newlines kept by CSS (pre-wrap). */
function mrkdwn(text) {
  const el = h('div', { class: 'mrkdwn' });
  const parts = String(text ?? '').split('```');
  parts.forEach((part, i) => {
    const closed = i % 2 === 1 && i < parts.length - 1;
    if (closed) el.append(h('pre', { class: 'code-block' }, decode(part.replace(/^\n|\n$/g, ''))));
    else inline(el, i % 2 === 1 ? `\`\`\`${part}` : part);
  });
  return el;
}

/** plain_text: no formatting, but shortcodes become emoji unless `emoji: false` (as in Slack). */
const plainText = (t) =>
  t?.emoji === false ? String(t?.text ?? '') : emojify(String(t?.text ?? ''));

const textObject = (t) =>
  t?.type === 'mrkdwn' ? mrkdwn(t.text) : h('div', { class: 'plain' }, plainText(t));

// ---- Block Kit → DOM ---------------------------------------------------------------

function renderBlocks(blocks, message) {
  const el = h('div', { class: 'blocks' });
  for (const block of blocks) el.append(renderBlock(block, message));
  return el;
}

function renderBlock(block, message) {
  switch (block?.type) {
    case 'header':
      return h('div', { class: 'bk-header' }, plainText(block.text));
    case 'section': {
      const el = h('div', { class: 'bk-section' });
      if (block.text) el.append(textObject(block.text));
      if (Array.isArray(block.fields)) {
        el.append(h('div', { class: 'bk-fields' }, ...block.fields.map(textObject)));
      }
      if (block.accessory?.type === 'button') el.append(button(block.accessory, block, message));
      return el;
    }
    case 'context':
      return h(
        'div',
        { class: 'bk-context' },
        ...(block.elements ?? []).map((e) =>
          e.type === 'image'
            ? h('span', { class: 'bk-image' }, `[${e.alt_text ?? 'image'}]`)
            : textObject(e),
        ),
      );
    case 'divider':
      return h('hr', { class: 'bk-divider' });
    case 'actions':
      return h(
        'div',
        { class: 'bk-actions' },
        ...(block.elements ?? [])
          .filter((e) => e.type === 'button')
          .map((e) => button(e, block, message)),
      );
    default:
      return h('div', { class: 'bk-unknown' }, `[${String(block?.type)} block]`);
  }
}

function button(element, block, message) {
  const el = h(
    'button',
    {
      type: 'button',
      class: `bk-button ${element.style ?? ''}`,
      'data-action-id': element.action_id,
    },
    element.text ? plainText(element.text) : 'Button',
  );
  el.addEventListener('click', async () => {
    el.disabled = true;
    try {
      await post('action', {
        user: state.me,
        messageTs: message.ts,
        threadTs: message.threadTs,
        actionId: element.action_id,
        value: element.value ?? '',
        blockId: block.block_id,
      });
    } finally {
      setTimeout(() => (el.disabled = false), 500);
    }
  });
  return el;
}

// ---- The channel -------------------------------------------------------------------

const userName = (id) =>
  state.users.find((u) => u.id === id)?.name ?? (id === 'U0QUORUM' ? 'quorum' : id);

const clock = (ts) =>
  new Date(Number(String(ts).split('.')[0]) * 1000).toLocaleTimeString(undefined, {
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });

function body(message) {
  return Array.isArray(message.blocks) && message.blocks.length
    ? renderBlocks(message.blocks, message)
    : mrkdwn(message.text);
}

/** A message as Slack lays it out: avatar, name, APP badge, time, extra marks, then its body. */
function shell(cls, ts, marks, content) {
  return h(
    'article',
    { class: `msg ${cls}`, 'data-ts': ts },
    h('div', { class: 'avatar', 'aria-hidden': 'true' }, 'Q'),
    h(
      'div',
      { class: 'content' },
      h(
        'div',
        { class: 'meta' },
        h('b', {}, 'Quorum'),
        h('span', { class: 'badge' }, 'APP'),
        h('span', { class: 'time' }, clock(ts)),
        marks,
      ),
      content,
    ),
  );
}

function renderMessage(message, reply) {
  const edited = message.history?.length
    ? h('span', { class: 'edited', title: `${message.history.length} edit(s)` }, '(edited)')
    : null;
  const el = shell(reply ? 'reply' : 'root', message.ts, edited, body(message));
  const replies = reply ? [] : (state.replies.get(message.ts) ?? []);
  if (replies.length) {
    el.querySelector('.content').append(
      h(
        'div',
        { class: 'thread', 'data-thread-ts': message.ts },
        h(
          'div',
          { class: 'thread-count' },
          `${replies.length} ${replies.length === 1 ? 'reply' : 'replies'}`,
        ),
        ...replies.map((ts) => renderMessage(state.messages.get(ts), true)),
      ),
    );
  }
  return el;
}

function renderEphemeral(e) {
  return shell('ephemeral', e.ts, h('span', { class: 'only-you' }, 'Only visible to you'), body(e));
}

function renderNote(note) {
  const who = note.user ? userName(note.user) : 'someone';
  return note.command
    ? h('div', { class: 'note' }, h('b', {}, who), ' used ', h('code', {}, note.text))
    : h('div', { class: 'note' }, h('b', {}, who), ': ', note.text);
}

let scheduled = false;
function render() {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    const timeline = $('timeline');
    const atBottom = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 80;
    const nodes = [];
    for (const item of state.items) {
      if (item.kind === 'message') nodes.push(renderMessage(state.messages.get(item.ts), false));
      else if (item.kind === 'ephemeral' && item.ephemeral.user === state.me)
        nodes.push(renderEphemeral(item.ephemeral));
      else if (item.kind === 'note') nodes.push(renderNote(item.note));
    }
    if (!nodes.length)
      nodes.push(
        h(
          'p',
          { class: 'empty' },
          'Nothing here yet. Type a slash command below, or press a button on the left.',
        ),
      );
    timeline.replaceChildren(...nodes);
    if (atBottom) timeline.scrollTop = timeline.scrollHeight;
  });
}

function onMessage({ message }) {
  const known = state.messages.has(message.ts);
  state.messages.set(message.ts, message);
  const reply =
    message.threadTs && message.threadTs !== message.ts && state.messages.has(message.threadTs);
  if (!known) {
    if (reply)
      state.replies.set(message.threadTs, [
        ...(state.replies.get(message.threadTs) ?? []),
        message.ts,
      ]);
    else state.items.push({ kind: 'message', ts: message.ts });
  }
  render();
}

// ---- Talking to the playground ----------------------------------------------------

async function post(path, body) {
  try {
    const res = await fetch(`/playground/${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) showProblem(answer.error ?? `HTTP ${res.status}`);
    return answer;
  } catch (error) {
    showProblem(`the playground did not answer (${error.message}); is npm run demo still running?`);
    return {};
  }
}

function showProblem(text) {
  state.items.push({ kind: 'note', note: { user: state.me, text: `playground: ${text}` } });
  render();
}

function setUsers(users) {
  state.users = users;
  const select = $('user');
  if (!state.me) state.me = users[0]?.id ?? '';
  select.replaceChildren(
    ...users.map((u) => h('option', { value: u.id, selected: u.id === state.me }, u.name)),
  );
  const me = users.find((u) => u.id === state.me);
  $('user-role').textContent = me ? `${me.name} ${me.role}; Slack user ${me.id}.` : '';
}

function connect() {
  const events = new EventSource('/playground/events');
  const status = $('status');
  const set = (name, text) => {
    status.dataset.state = name;
    status.textContent = text;
  };
  events.onopen = () => set('live', 'live');
  events.onerror = () => set('reconnecting', 'reconnecting…');
  const on = (type, handle) => events.addEventListener(type, (e) => handle(JSON.parse(e.data)));
  on('hello', (hello) => {
    setUsers(hello.users);
    $('channel-name').textContent = hello.channel.name;
    render();
  });
  on('message', onMessage);
  on('ephemeral', ({ ephemeral }) => {
    state.items.push({ kind: 'ephemeral', ephemeral });
    render();
  });
  on('note', (note) => {
    state.items.push({ kind: 'note', note });
    render();
  });
}

async function showInfo() {
  const info = await fetch('/playground/info')
    .then((r) => r.json())
    .catch(() => ({}));
  const rows = [];
  if (info.quorum)
    rows.push([
      'Quorum',
      h('a', { href: `${info.quorum}/metrics`, target: '_blank', rel: 'noopener' }, info.quorum),
    ]);
  if (info.etcd) rows.push(['etcd', info.etcd]);
  if (info.redis) rows.push(['Redis', info.redis]);
  if (info.dir) rows.push(['Files', info.dir]);
  $('info').replaceChildren(...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function sendCommand(text) {
  if (!text.trim()) return;
  void post('command', { user: state.me, text });
}

document.addEventListener('DOMContentLoaded', () => {
  $('composer').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('command');
    sendCommand(input.value);
    input.value = '';
  });
  for (const el of document.querySelectorAll('[data-command]')) {
    el.addEventListener('click', () => sendCommand(el.dataset.command));
  }
  $('fire-alert').addEventListener('click', () => void post('alert', { user: state.me }));
  $('user').addEventListener('change', (event) => {
    state.me = event.target.value;
    setUsers(state.users);
    render();
  });
  connect();
  void showInfo();
  render();
});
