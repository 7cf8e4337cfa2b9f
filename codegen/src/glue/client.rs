//! The crate root's items: the client's hooks and `Client::builder`, the runtime's
//! re-exports, and the API's profile (`ApiProfile`, `PAGING`) as constants.

use proc_macro2::TokenStream;
use quote::quote;
use syn::Item;

use crate::options::RuntimeOptions;
use crate::syntax::parse_items;

/// `vb365::Error` is the runtime's error (progenitor's stays reachable as
/// `progenitor_client::Error`), and the runtime is re-exported for its configuration types.
pub(super) fn reexport_runtime_error(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Use(u) = item else { continue };
        let tree = &u.tree;
        let text = quote!(#tree).to_string();
        if matches!(u.vis, syn::Visibility::Public(_))
            && text.starts_with("progenitor_client")
            && text.contains("Error")
        {
            u.tree = syn::parse_quote!(progenitor_client::{ByteStream, ClientInfo, ResponseValue});
        }
    }
    file.items.push(syn::parse_quote!(
        /// The runtime every operation goes through: [`Error`], [`runtime::RetryPolicy`],
        /// [`runtime::Timeouts`], [`runtime::WaitOptions`].
        pub use ::veeam_runtime as runtime;
    ));
    file.items.push(syn::parse_quote!(
        pub use ::veeam_runtime::{Error, ErrorKind};
    ));
}

/// progenitor's constructors: `Client::new` builds a `reqwest::Client` of its own (and
/// unwraps the build), `new_with_client` takes one that would never send anything (the
/// session's client sends every request). Neither is the way to make a client
/// (`Client::builder` is): `new` goes, and `new_with_client`, which `FromParts` uses, is
/// private to the crate.
pub(super) fn constructors_private(file: &mut syn::File) {
    for item in &mut file.items {
        let Item::Impl(imp) = item else { continue };
        if imp.trait_.is_some()
            || crate::syntax::type_name(&imp.self_ty).as_deref() != Some("Client")
        {
            continue;
        }
        imp.items
            .retain(|i| !matches!(i, syn::ImplItem::Fn(f) if f.sig.ident == "new"));
        for i in &mut imp.items {
            if let syn::ImplItem::Fn(f) = i {
                if f.sig.ident == "new_with_client" {
                    f.vis = syn::Visibility::Inherited;
                    f.attrs.retain(|a| !a.path().is_ident("doc"));
                }
            }
        }
    }
}

/// The paging conventions' constants (`const PAGING`, when the API pages so) and the
/// runtime's `ApiProfile` for this crate, both from its profile and written by
/// [`crate::literal`]; a part of the profile equal to a constant is its name.
fn profile_items(p: &crate::profile::Profile) -> Result<(TokenStream, TokenStream), String> {
    let constants = p.paging.constants()?;
    let named: Vec<(&str, &TokenStream)> = constants.iter().map(|c| (c.name, &c.value)).collect();
    let paths: Vec<(&str, &str)> = constants
        .iter()
        .map(|c| (c.ty.rsplit("::").next().unwrap_or(c.ty), c.ty))
        .collect();
    let profile = crate::literal::expression(&p.api_profile(), &named, &paths)?;
    let consts = constants.iter().map(|c| c.item()).collect();
    Ok((consts, profile))
}

/// The crate-level items: hooks, the builder entry point, the login profile.
pub(super) fn client_items(o: &RuntimeOptions) -> Result<Vec<Item>, String> {
    let (paging, profile) = profile_items(&o.profile)?;
    parse_items(quote! {
        #paging

        /// progenitor's hooks, for what it still sends itself: the session's token, timeouts,
        /// retries and re-login.
        impl progenitor_client::ClientHooks<::veeam_runtime::Session> for Client {
            async fn pre<E>(
                &self,
                request: &mut reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> ::std::result::Result<(), progenitor_client::Error<E>> {
                self.inner
                    .authorize(request)
                    .await
                    .map_err(|e| progenitor_client::Error::Custom(e.to_string()))
            }
            async fn exec(
                &self,
                request: reqwest::Request,
                _info: &progenitor_client::OperationInfo,
            ) -> reqwest::Result<reqwest::Response> {
                self.inner.execute(request, false).await
            }
        }
        impl ::veeam_runtime::FromParts for Client {
            const PROFILE: ::veeam_runtime::ApiProfile = #profile;
            fn from_parts(
                base_url: &str,
                http: reqwest::Client,
                session: ::veeam_runtime::Session,
            ) -> Self {
                Self::new_with_client(base_url, http, session)
            }
        }
        impl Client {
            /// Configures a client for the server at `base_url` (scheme, host and port, e.g.
            /// `https://vbo.example.com:4443`, and any path prefix a reverse proxy adds):
            /// credentials, TLS, timeouts, retries.
            pub fn builder(base_url: impl ::std::convert::Into<::std::string::String>) -> ::veeam_runtime::ClientBuilder<Self> {
                ::veeam_runtime::ClientBuilder::new(base_url)
            }
            /// The session: log in early, log out, inspect the retry policy.
            pub fn session(&self) -> &::veeam_runtime::Session {
                &self.inner
            }
        }
    })
}
