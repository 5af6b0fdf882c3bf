/**
 * The comm process (`serial.commProcess: child`, the default): a child of the server that owns the port, the
 * protocol (PrinterComm) and, for port `VIRTUAL`, the simulator, on an event loop of its own, so a reply from the
 * printer is handled the moment it arrives however busy the HTTP server is. ChildProcessChannel starts it.
 *
 * A process, not a `worker_threads` Worker: `@serialport/bindings-cpp` polls the port on `uv_default_loop()`, which
 * is the main thread's loop, so a port opened in a worker thread crashes the process on its first read
 * (`Poller::onData` -> HandleScope fatal error; upstream serialport/bindings-cpp#176). A process has its own default
 * loop. Messages use the IPC channel with `serialization: 'advanced'` (structured clone).
 */
import { COMM_INIT_ENV, type CommInit, type CommToServer, type ServerToComm } from './comm-channel.js';
import { CommHost } from './comm-host.js';

const send = process.send?.bind(process);
if (send === undefined) throw new Error('comm-process must be started by the server (it needs an IPC channel)');
const init = JSON.parse(process.env[COMM_INIT_ENV] ?? 'null') as CommInit;

const host = new CommHost(
  init,
  (message: CommToServer) => {
    if (process.connected) send(message);
  },
  () => process.disconnect(),
);

// Ctrl-C and service managers signal the whole process group: the server disposes this process as it shuts down,
// so it does not die under the server mid-conversation (which the server saw as a failed write, EPIPE).
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => undefined);

// The server is gone (it ended, or was killed without a shutdown): never outlive it.
process.on('disconnect', () => {
  void host.dispose().finally(() => process.exit(0));
});
process.on('message', (message: ServerToComm) => host.receive(message));
