"""Outlay's Lambda code: handlers (thin) -> logic (rules, no boto3) -> dal (AWS adapters); models shared."""
