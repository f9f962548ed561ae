"""Invoices (XRechnung) from the vendors of joint contracts to each participating municipality."""
