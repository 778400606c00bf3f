"""An experiment, not shipped: a cross-encoder answer model trained on the MedQuAD pool.

It lost to the cross-validated similarity ranking on the home development set (see
README.md here); the scripts stay so the experiment can be repeated or taken further.
"""
