//! `?cursor=…&limit=…` of every paged list (feeds, comments, lineage), checked in one place.

use protocol::ErrorCode;
use serde::Deserialize;

use super::error::ApiError;

/// A page request.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// `next_cursor` of the previous page; absent for the first page.
    cursor: Option<String>,
    /// Items per page (each list has its own default and maximum).
    limit: Option<usize>,
}

impl PageQuery {
    /// The page size: `default` when absent, else 1-`max` (400 beyond).
    pub fn limit(&self, default: usize, max: usize) -> Result<usize, ApiError> {
        let limit = self.limit.unwrap_or(default);
        if (1..=max).contains(&limit) {
            Ok(limit)
        } else {
            Err(ApiError::new(ErrorCode::BadRequest, format!("limit must be 1-{max}")))
        }
    }

    /// The cursor decoded by `decode` (absent or empty: the first page; undecodable: 400).
    pub fn cursor<T>(&self, decode: impl FnOnce(&str) -> Option<T>) -> Result<Option<T>, ApiError> {
        match self.cursor.as_deref().filter(|c| !c.is_empty()) {
            Some(raw) => decode(raw)
                .map(Some)
                .ok_or_else(|| ApiError::new(ErrorCode::BadRequest, "bad cursor")),
            None => Ok(None),
        }
    }
}
