//! The host's own client methods in the built-in server: handlers registered
//! by method name, typed through [`Method`] / [`Notification`] or raw JSON,
//! and the context each call gets.

use std::any::Any;
use std::collections::HashMap;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use attestwire_protocol::{ErrorCode, JsonRpcErrorObject, Method, Notification, RequestId};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::core::registry::ConnectionId;
use crate::server::Server;

/// What a request handler gets besides its params: the server (to
/// subscribe the connection to a thread, send it requests, attest), the
/// connection and the request's id.
#[derive(Debug, Clone)]
pub struct RequestContext {
    pub(crate) server: Server,
    pub(crate) connection: ConnectionId,
    pub(crate) id: Option<RequestId>,
}

impl RequestContext {
    /// The server that received the message.
    pub fn server(&self) -> &Server {
        &self.server
    }

    /// The connection it arrived on.
    pub fn connection(&self) -> ConnectionId {
        self.connection
    }

    /// The request's id; `None` for a notification.
    pub fn id(&self) -> Option<&RequestId> {
        self.id.as_ref()
    }
}

type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A request handler as stored: raw params in, the encoded result or an
/// error out.
pub(crate) type RequestHandler = Arc<
    dyn Fn(RequestContext, Option<Value>) -> BoxFuture<Result<Box<RawValue>, JsonRpcErrorObject>>
        + Send
        + Sync,
>;

/// A notification handler as stored.
pub(crate) type NotificationHandler =
    Arc<dyn Fn(RequestContext, Option<Value>) -> BoxFuture<()> + Send + Sync>;

/// Every registered handler, by method name.
#[derive(Default, Clone)]
pub(crate) struct Handlers {
    pub(crate) requests: HashMap<String, RequestHandler>,
    pub(crate) notifications: HashMap<String, NotificationHandler>,
}

pub(crate) fn typed_request<M, F, Fut>(handler: F) -> RequestHandler
where
    M: Method + 'static,
    M::Params: Send,
    F: Fn(RequestContext, M::Params) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<M::Response, JsonRpcErrorObject>> + Send + 'static,
{
    let handler = Arc::new(handler);
    Arc::new(move |context, params| {
        let params = parse_params::<M::Params>(M::METHOD, params);
        let handler = Arc::clone(&handler);
        Box::pin(async move {
            let response = handler(context, params?).await?;
            encode_result(&response)
        })
    })
}

pub(crate) fn raw_request<F, Fut>(handler: F) -> RequestHandler
where
    F: Fn(RequestContext, Option<Value>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Value, JsonRpcErrorObject>> + Send + 'static,
{
    let handler = Arc::new(handler);
    Arc::new(move |context, params| {
        let handler = Arc::clone(&handler);
        Box::pin(async move { encode_result(&handler(context, params).await?) })
    })
}

pub(crate) fn typed_notification<N, F, Fut>(handler: F) -> NotificationHandler
where
    N: Notification + 'static,
    N::Params: Send,
    F: Fn(RequestContext, N::Params) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let handler = Arc::new(handler);
    Arc::new(move |context, params| {
        let params = parse_params::<N::Params>(N::METHOD, params);
        let handler = Arc::clone(&handler);
        Box::pin(async move {
            match params {
                Ok(params) => handler(context, params).await,
                Err(error) => tracing::debug!(
                    connection = context.connection.get(),
                    method = N::METHOD,
                    message = %error.message,
                    "notification with bad params; dropped"
                ),
            }
        })
    })
}

pub(crate) fn raw_notification<F, Fut>(handler: F) -> NotificationHandler
where
    F: Fn(RequestContext, Option<Value>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let handler = Arc::new(handler);
    Arc::new(move |context, params| Box::pin(handler(context, params)))
}

/// Absent params read as `null`, so a unit or `Option` params type accepts
/// a request without them.
fn parse_params<P: serde::de::DeserializeOwned>(
    method: &str,
    params: Option<Value>,
) -> Result<P, JsonRpcErrorObject> {
    serde_json::from_value(params.unwrap_or(Value::Null)).map_err(|error| {
        JsonRpcErrorObject::new(
            ErrorCode::INVALID_PARAMS,
            format!("invalid params for {method}: {error}"),
        )
    })
}

fn encode_result(result: &impl serde::Serialize) -> Result<Box<RawValue>, JsonRpcErrorObject> {
    serde_json::value::to_raw_value(result).map_err(|error| {
        tracing::error!(%error, "could not encode a handler's result");
        JsonRpcErrorObject::new(ErrorCode::INTERNAL_ERROR, "internal error")
    })
}

/// Runs a future and turns a panic inside it into `Err`, so that one
/// handler's bug answers -32603 instead of taking its connection down.
pub(crate) struct CatchUnwind<T>(pub(crate) BoxFuture<T>);

impl<T> Future for CatchUnwind<T> {
    type Output = Result<T, Box<dyn Any + Send>>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // The future is not polled again after a panic (we return Ready),
        // so whatever state the panic broke is never observed.
        match catch_unwind(AssertUnwindSafe(|| self.0.as_mut().poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(value)) => Poll::Ready(Ok(value)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
