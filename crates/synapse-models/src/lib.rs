//! Typed models of the Synapse v1 wire.
