/**
 * The push socket's documentation, shown as the `Push` tag's description in the Swagger UI (it has no HTTP
 * operations of its own to hang it on). Schemas named here are in the spec's components.
 */
export const PUSH_DOCUMENTATION = `
OctoPrint's push socket, a SockJS endpoint at \`/sockjs\`
(websocket, xhr-streaming and xhr-polling transports) plus the raw websocket \`/sockjs/websocket\`. SDK:
\`client.socket\` (\`onMessage\`, typed \`onEvent\`, \`subscribe\`, \`setThrottle\`, reconnect with backoff).

**Flow:** open the socket → the server sends \`connected\` → \`POST /api/login {"passive": true}\` with your API key →
send \`{"auth": "<name>:<session>"}\` → the server sends \`history\`, \`{"timelapse": null}\`, then \`current\` on
change and \`event\` as things happen. Each message is an object with one key, its type; on SockJS transports the
object sits in the array frame (\`a[{"current":{...}}]\`), on the raw websocket it is the whole text frame.

**Server → client** (payload schemas in \`PushMessagesDto\`):

| type | when | needs |
|---|---|---|
| \`connected\` | once, on open: version, config hash, every permission with its \`needs\` | — |
| \`history\` | after \`auth\` (and when \`subscribe\` turns state on): state, job, progress, temperatures of the last 30 min, the last 300 terminal lines | STATUS |
| \`timelapse\` | right after \`history\`; always null | STATUS |
| \`current\` | on change, at most every 0.5 s × throttle: full state plus temperature points and terminal lines since the last one (nothing is lost between two) | STATUS |
| \`event\` | \`{type, payload}\`; payloads by name in \`PushEventPayloadsDto\` | STATUS (\`UserLoggedIn\`/\`UserLoggedOut\`: ADMIN) |
| \`reauthRequired\` | \`{reason}\`: \`logout\`, \`stale\` (expired session or failed \`auth\`), \`removed\` (key deleted), \`modified\` (log in again) | — |

\`logs\` and \`messages\` inside \`history\` and \`current\` need MONITOR_TERMINAL (the keys are absent without it).

**Client → server** (\`PushClientMessagesDto\`), one per message: \`{"auth": "<name>:<session>"}\`;
\`{"throttle": n}\` (1–30: \`current\` at most every 0.5 s × n); \`{"subscribe": {"state": {"logs": "^Recv", "messages":
false}, "events": ["PrintDone"], "plugins": false}}\` (replaces the previous subscription; an omitted key means
none; \`state: true\` means logs without messages). Malformed messages are ignored.

**Events:** \`Startup\`, \`Shutdown\`, \`ClientOpened\`, \`ClientAuthed\`, \`ClientClosed\`, \`UserLoggedIn\`,
\`UserLoggedOut\`, \`Connecting\`, \`Connected\`, \`Disconnecting\`, \`Disconnected\`, \`PrinterStateChanged\`, \`Error\`,
\`FirmwareData\`, \`PrintStarted\`, \`PrintPaused\`, \`PrintResumed\`, \`PrintCancelling\`, \`PrintCancelled\`,
\`PrintDone\`, \`PrintFailed\`, \`FileSelected\`, \`FileDeselected\`, \`FileAdded\`, \`FileRemoved\`, \`UpdatedFiles\`,
\`ChartMarked\`.

**Limits:** sessions end after 15 minutes unused (an authed socket keeps its session alive), on logout, and when
their key is removed or changed. A socket that stops reading (4 MiB unread) is disconnected; the printer never
waits for a socket. Browsers may connect from the same origin only.
`.trim();
