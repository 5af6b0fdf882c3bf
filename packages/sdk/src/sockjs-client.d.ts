// sockjs-client ships no types; socket.ts declares the part it uses.
declare module 'sockjs-client' {
  const SockJS: unknown;
  export default SockJS;
}
