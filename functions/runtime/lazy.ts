/**
 * Built on first use, then kept for the life of the execution environment:
 * how every handler holds its clients, stores and metrics, so a cold start
 * pays once and tests can import a handler without configuring anything.
 */
export function lazy<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}
