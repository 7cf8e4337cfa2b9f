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

/// `Option<T>` as tokens.
pub(super) fn option<T: quote::ToTokens>(value: Option<T>) -> TokenStream {
    match value {
        Some(v) => quote!(::std::option::Option::Some(#v)),
        None => quote!(::std::option::Option::None),
    }
}

/// The runtime's `ApiProfile` for this crate, from its profile.
pub(super) fn api_profile(p: &crate::profile::Profile) -> TokenStream {
    let token_path = option(p.auth.token_path.as_deref());
    let logout = option(p.auth.logout.as_ref().map(|l| {
        let (method, path) = (&l.method, &l.path);
        quote!(::veeam_runtime::auth::Endpoint { method: #method, path: #path })
    }));
    let extra = p.auth.login_extra.iter().map(|(k, v)| quote!((#k, #v)));
    let paging = option(p.paging.as_ref().map(|_| quote!(PAGING)));
    quote!(::veeam_runtime::ApiProfile {
        token_path: #token_path,
        logout: #logout,
        login_extra: &[#(#extra),*],
        paging: #paging,
    })
}

/// `const PAGING`, the paging convention, when the API pages.
pub(super) fn paging_const(p: &crate::profile::Profile) -> TokenStream {
    let Some(g) = &p.paging else {
        return TokenStream::new();
    };
    let (offset, limit, items) = (&g.offset, &g.limit, &g.items);
    let offset_field = option(g.offset_field.as_deref());
    let limit_field = option(g.limit_field.as_deref());
    let total_field = option(g.total_field.as_deref());
    let next_link = option(g.next_link.as_deref());
    let set_id = option(g.set_id.as_deref());
    let default_limit = i64::from(g.default_limit);
    let max_limit = option(g.max_limit.map(i64::from));
    quote!(
    /// How this API pages its lists (its profile's `paging`).
    const PAGING: ::veeam_runtime::paging::PagingProfile = ::veeam_runtime::paging::PagingProfile {
        offset_param: #offset,
        limit_param: #limit,
        items: #items,
        offset_field: #offset_field,
        limit_field: #limit_field,
        total_field: #total_field,
        next_link: #next_link,
        set_id: #set_id,
        default_limit: #default_limit,
        max_limit: #max_limit,
    };)
}

/// The crate-level items: hooks, the builder entry point, the login profile.
pub(super) fn client_items(o: &RuntimeOptions) -> Result<Vec<Item>, String> {
    let profile = api_profile(&o.profile);
    let paging = paging_const(&o.profile);
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
