pub use reqwest;
