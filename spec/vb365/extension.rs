// VB365 v8's own helpers, appended to its crate after the shared ones
// (spec/vb365-common/waits.rs): v8's restore actions can run asynchronously.

impl Client {
    #[cfg(feature = "restore-session")]
    /// Waits for an asynchronous restore (`RESTAsyncRestoreResponse`, from the restore
    /// actions run asynchronously) to finish: its `sessionId` is a restore session.
    pub async fn wait_async_restore(
        &self,
        started: &types::RestAsyncRestoreResponse,
        options: &::veeam_runtime::WaitOptions,
    ) -> ::std::result::Result<types::RestRestoreSession, ::veeam_runtime::Error> {
        let id = started.session_id.ok_or_else(|| {
            ::veeam_runtime::Error::new(::veeam_runtime::ErrorKind::InvalidRequest(
                "the asynchronous restore answered without a sessionId to wait on".into(),
            ))
        })?;
        self.wait_restore_session(&id, options).await
    }
}
