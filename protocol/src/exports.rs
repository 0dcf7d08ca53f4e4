//! The list of types that codegen turns into JSON Schema and TypeScript.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
#[cfg(feature = "schema")]
use ts_rs::TS;

use crate::header::{AttestationHeader, AttestationStatus};
use crate::id::RequestId;
use crate::initialize::{ClientCapabilities, ClientInfo, ServerInfo};
use crate::jsonrpc::{
    ErrorCode, JsonRpcError, JsonRpcErrorObject, JsonRpcMessage, JsonRpcNotification,
    JsonRpcRequest, JsonRpcResponse,
};
use crate::messages::{ClientMessage, ClientResponse, ServerMessage, ServerResponse};
use crate::registry::{
    ClientNotification, ClientRequest, ClientRequestResult, Method, MethodVisitor, ServerRequest,
    ServerRequestResult,
};

/// What every exported type is: serde both ways, a JSON Schema and a
/// TypeScript type.
pub trait WireType: Serialize + DeserializeOwned + JsonSchema + TS + 'static {}

impl<T: Serialize + DeserializeOwned + JsonSchema + TS + 'static> WireType for T {}

/// Receives every exported type.
pub trait ExportVisitor {
    /// One exported type; its schema and TypeScript names are its Rust name.
    fn visit<T: WireType>(&mut self);
}

/// Passes every exported wire type to `visitor`, each exactly once: the
/// framing and envelope types listed here, then the params and response
/// types of every registry method.
pub fn visit_exported_types(visitor: &mut impl ExportVisitor) {
    visitor.visit::<RequestId>();
    visitor.visit::<ErrorCode>();
    visitor.visit::<JsonRpcRequest>();
    visitor.visit::<JsonRpcNotification>();
    visitor.visit::<JsonRpcResponse>();
    visitor.visit::<JsonRpcError>();
    visitor.visit::<JsonRpcErrorObject>();
    visitor.visit::<JsonRpcMessage>();
    visitor.visit::<ClientInfo>();
    visitor.visit::<ClientCapabilities>();
    visitor.visit::<ServerInfo>();
    visitor.visit::<ServerRequest>();
    visitor.visit::<ClientRequest>();
    visitor.visit::<ClientNotification>();
    visitor.visit::<ServerRequestResult>();
    visitor.visit::<ClientRequestResult>();
    visitor.visit::<ClientResponse>();
    visitor.visit::<ServerResponse>();
    visitor.visit::<ClientMessage>();
    visitor.visit::<ServerMessage>();
    visitor.visit::<AttestationStatus>();
    visitor.visit::<AttestationHeader>();

    struct Methods<'a, V>(&'a mut V);
    impl<V: ExportVisitor> MethodVisitor for Methods<'_, V> {
        fn request<M: Method>(&mut self, _: &'static str, _: crate::registry::Direction)
        where
            M::Params: WireType,
            M::Response: WireType,
        {
            self.0.visit::<M::Params>();
            self.0.visit::<M::Response>();
        }
        fn client_notification<N: crate::registry::Notification>(&mut self, _: &'static str) {}
    }
    visit_methods(&mut Methods(visitor));
}

/// Passes every method of every direction to `visitor`.
pub fn visit_methods(visitor: &mut impl MethodVisitor) {
    ServerRequest::visit_methods(visitor);
    ClientRequest::visit_methods(visitor);
    ClientNotification::visit_methods(visitor);
}
