/**
 * Setup of the unit lane: a unit test opens no listener. Any server that
 * starts to listen (HTTP, net, an emulator) fails the test with one line
 * that says where such a test belongs.
 */
import { Server } from 'node:net';

Server.prototype.listen = function listen(): never {
  throw new Error(
    'a unit test opened a listener: tests that start servers belong in test/integration/ (vitest project "integration")',
  );
};
