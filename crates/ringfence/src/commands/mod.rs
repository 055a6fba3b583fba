pub mod db;
pub mod diff;
pub mod inspect;
pub mod inventory;
pub mod scan;
