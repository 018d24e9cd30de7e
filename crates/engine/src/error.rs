//! Status codes returned across the ABI. The engine never panics on user input: every
//! fallible path returns one of these, and `abi` keeps a human-readable message beside it.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(i32)]
pub enum Status {
    Ok = 0,
    InvalidArgument = 1,
    OutOfMemory = 2,
    InvalidHandle = 3,
    Diverged = 4,
    ShapeMismatch = 5,
}

/// An error with its message; `abi` stores the message for TypeScript to read.
#[derive(Debug)]
pub struct Error {
    pub status: Status,
    pub message: String,
}

impl Error {
    pub fn new(status: Status, message: impl Into<String>) -> Self {
        Error { status, message: message.into() }
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::new(Status::InvalidArgument, message)
    }
    pub fn shape(message: impl Into<String>) -> Self {
        Error::new(Status::ShapeMismatch, message)
    }
    pub fn oom(what: &str, bytes: usize) -> Self {
        Error::new(Status::OutOfMemory, format!("out of memory allocating {} ({} bytes)", what, bytes))
    }
}

pub type Result<T> = core::result::Result<T, Error>;
