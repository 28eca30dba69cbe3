//! Declarations of the common operation shapes (retrieve by id, list, set tags): one macro
//! writes the builder, its [`Operation`](synapse_transport::Operation) and its fluent
//! methods, so each such operation is declared in one line of its domain module; the
//! operations with their own behaviour are written out by hand.

/// Declares a `GET {segment}/{id}/` operation: the struct (its [`Call`], the id and typed
/// query pairs in call order), its [`Operation`] (JSON decoded into the output) and the
/// fluent methods. Setters push pairs with the private `param`.
macro_rules! get_operation {
    (
        $(#[$meta:meta])*
        $name:ident: GET $segment:literal / $id:ty => $output:ty
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        #[must_use = "a call does nothing until it is awaited"]
        pub struct $name {
            call: ::synapse_transport::Call,
            id: $id,
            params: Vec<(String, String)>,
        }

        impl $name {
            fn new(client: &::synapse_transport::Client, id: $id) -> Self {
                Self {
                    call: ::synapse_transport::Call::new(client.clone()),
                    id,
                    params: Vec::new(),
                }
            }

            #[allow(dead_code)]
            fn param(mut self, key: &str, value: impl ::std::string::ToString) -> Self {
                self.params.push((key.to_owned(), value.to_string()));
                self
            }
        }

        impl ::synapse_transport::Operation for $name {
            type Output = $output;
            fn prepare(&self) -> ::synapse_transport::RequestBuilder {
                self.call
                    .client()
                    .get(::synapse_transport::urls::path(
                        [$segment, &self.id.to_string()],
                        true,
                    ))
                    .query_pairs(self.params.clone())
            }
            async fn decode(
                response: ::synapse_transport::Response,
                call: ::synapse_transport::CallInfo,
            ) -> Result<$output, ::synapse_transport::Error> {
                ::synapse_transport::operation::json(response, call).await
            }
        }
        ::synapse_transport::fluent!($name);
    };
}
pub(crate) use get_operation;

/// Declares a `GET {path}` list operation: the struct (its [`Call`] and typed query pairs
/// in call order), its [`Operation`] (a page of items), the fluent list methods
/// (`.page_size(n)`, `.items()`, `.pages()`) and `.page(n)`. Setters push pairs with the
/// private `param`.
macro_rules! list_operation {
    (
        $(#[$meta:meta])*
        $name:ident: GET $path:literal => $item:ty
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        #[must_use = "a call does nothing until it is awaited"]
        pub struct $name {
            call: ::synapse_transport::Call,
            params: Vec<(String, String)>,
        }

        impl $name {
            fn new(client: &::synapse_transport::Client) -> Self {
                Self {
                    call: ::synapse_transport::Call::new(client.clone()),
                    params: Vec::new(),
                }
            }

            fn param(mut self, key: &str, value: impl ::std::string::ToString) -> Self {
                self.params.push((key.to_owned(), value.to_string()));
                self
            }

            /// One page by number (`page=2`, the server's page-number pagination); a walk
            /// (`.items()`) starts there.
            pub fn page(self, page: u32) -> Self {
                self.param("page", page)
            }
        }

        impl ::synapse_transport::Operation for $name {
            type Output = ::synapse_models::Page<$item>;
            fn prepare(&self) -> ::synapse_transport::RequestBuilder {
                self.call.client().get($path).query_pairs(self.params.clone())
            }
            async fn decode(
                response: ::synapse_transport::Response,
                call: ::synapse_transport::CallInfo,
            ) -> Result<Self::Output, ::synapse_transport::Error> {
                ::synapse_transport::operation::json(response, call).await
            }
        }
        ::synapse_transport::fluent_list!($name, $item);
    };
}
pub(crate) use list_operation;

/// Declares a `POST {path}` set-tags operation: the typed body `{"ids", "tags", "action"}`
/// (`action` always sent) with its setters, and `project` in the query.
macro_rules! set_tags_operation {
    (
        $(#[$meta:meta])*
        $name:ident: POST $path:literal, $what:literal
    ) => {
        $(#[$meta])*
        #[derive(Debug)]
        #[must_use = "a call does nothing until it is awaited"]
        pub struct $name {
            call: ::synapse_transport::Call,
            body: ::synapse_models::SetTagsRequest,
            params: Vec<(String, String)>,
        }

        impl $name {
            fn new(client: &::synapse_transport::Client, body: ::synapse_models::SetTagsRequest) -> Self {
                Self {
                    call: ::synapse_transport::Call::new(client.clone()),
                    body,
                    params: Vec::new(),
                }
            }

            /// Only within this project (`?project=<id>`).
            pub fn project(mut self, project: impl Into<::synapse_models::ProjectId>) -> Self {
                self.params
                    .push(("project".to_owned(), project.into().to_string()));
                self
            }

            #[doc = concat!("The ", $what, " ids (`ids`; replaces the ones given).")]
            pub fn ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
                self.body.ids = ids.into_iter().collect();
                self
            }

            /// The tag ids (`tags`; replaces the ones given).
            pub fn tags(mut self, tags: impl IntoIterator<Item = i64>) -> Self {
                self.body.tags = tags.into_iter().collect();
                self
            }

            /// Add or remove the tags (`action`, default `add`, always sent).
            pub fn action(mut self, action: ::synapse_models::SetTagsAction) -> Self {
                self.body.action = action;
                self
            }
        }

        impl ::synapse_transport::Operation for $name {
            type Output = ::serde_json::Value;
            fn prepare(&self) -> ::synapse_transport::RequestBuilder {
                self.call
                    .client()
                    .post($path)
                    .query_pairs(self.params.clone())
                    .json(&self.body)
            }
            async fn decode(
                response: ::synapse_transport::Response,
                call: ::synapse_transport::CallInfo,
            ) -> Result<::serde_json::Value, ::synapse_transport::Error> {
                ::synapse_transport::operation::value(response, call).await
            }
        }
        ::synapse_transport::fluent!($name);
    };
}
pub(crate) use set_tags_operation;

/// `.project(id)` on list operations filtered by project.
macro_rules! project_filter {
    ($($name:ident),+ $(,)?) => {$(
        impl $name {
            /// Only those of this project (`project=<id>`).
            pub fn project(self, project: impl Into<::synapse_models::ProjectId>) -> Self {
                self.param("project", project.into())
            }
        }
    )+};
}
pub(crate) use project_filter;
