// The type-level method maps: attestwire's, from the generated package, and
// the host's, which the app supplies as a type parameter of `Client`. Nothing
// here exists at run time.

import type {
  ClientNotificationMap,
  ClientRequestMap,
  RequestId,
} from "@attestwire/protocol";

/**
 * The host's own methods, beside attestwire's. Each member maps a method name
 * to `{ params, response }` (requests) or `{ params }` (notifications); leave
 * out what the host does not have.
 *
 * ```ts
 * type Codex = {
 *   requests: { "turn/start": { params: { threadId: string }; response: TurnResult } };
 *   serverRequests: { "item/approve": { params: { threadId: string }; response: { decision: string } } };
 * };
 * const client = spawnServer<Codex>("codex-host", []);
 * ```
 */
export interface HostMethods {
  /** Requests the app sends to the server. */
  requests?: object;
  /** Notifications the app sends to the server. */
  notifications?: object;
  /** Requests the server sends to the app (answered by `onRequest` handlers). */
  serverRequests?: object;
  /** Notifications the server sends to the app (given to `onNotification` handlers). */
  serverNotifications?: object;
}

/** No host methods: attestwire's alone. */
export type NoHostMethods = Record<never, never>;

type Part<H, K extends keyof HostMethods> = H extends { [P in K]?: infer M }
  ? NonNullable<M> extends object
    ? NonNullable<M>
    : NoHostMethods
  : NoHostMethods;

/** `B`'s entries, and `A`'s where `B` has none of that name (a host may redefine ours). */
type Merge<A, B> = Omit<A, keyof B> & B;

/** Every request the app may send: attestwire's (`initialize`) and the host's. */
export type AppRequests<H> = Merge<ClientRequestMap, Part<H, "requests">>;
/** Every notification the app may send: attestwire's (`initialized`) and the host's. */
export type AppNotifications<H> = Merge<ClientNotificationMap, Part<H, "notifications">>;
/** The host's requests to the app (attestwire's own, `attestation/generate`, is answered by the `attestation` option). */
export type ServerRequests<H> = Part<H, "serverRequests">;
/** The host's notifications to the app (attestwire's server sends none). */
export type ServerNotifications<H> = Part<H, "serverNotifications">;

/** A method's params in a map entry (`undefined` when the entry has none). */
export type ParamsOf<E> = E extends { params: infer P } ? P : undefined;
/** A method's response in a map entry. */
export type ResponseOf<E> = E extends { response: infer R } ? R : unknown;

/** What one request may carry beside its params. */
export interface RequestOptions {
  /** This request's deadline in milliseconds; default: the client's `requestTimeoutMs`. `Infinity` for none. */
  timeoutMs?: number;
  /** Abandons the request: it rejects with `signal.reason` and a late answer is dropped. */
  signal?: AbortSignal;
}

/** `request`'s arguments after the method: params may be left out when the method takes none. */
export type RequestArgs<P> = undefined extends P
  ? [params?: P, options?: RequestOptions]
  : [params: P, options?: RequestOptions];

/** `notify`'s arguments after the method. */
export type NotifyArgs<P> = undefined extends P ? [params?: P] : [params: P];

/** What a handler of a server request is given beside the params. */
export interface HandlerContext {
  /** The request's id, as the server sent it. */
  readonly id: RequestId;
  /** The request's method. */
  readonly method: string;
  /** Aborted when the connection closes: the answer would be dropped. */
  readonly signal: AbortSignal;
}

/** A handler of the server request whose map entry is `E`: its result is the answer. */
export type RequestHandler<E> = (
  params: ParamsOf<E>,
  context: HandlerContext,
) => ResponseOf<E> | Promise<ResponseOf<E>>;

/** A handler of the server notification whose map entry is `E`. */
export type NotificationHandler<E> = (params: ParamsOf<E>) => void | Promise<void>;
