"""AWS insights (issue 17): the waste behind the bill, cost anomalies and commitments. Pure rules."""
