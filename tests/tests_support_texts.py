"""Long fixture texts shared by tests."""

# An unrelated article (gardening), long enough to shift corpus-wide statistics.
UNRELATED = "Tomato Growing Guide\n\n" + "\n\n".join(
    f"Section {i}\n\nWater the tomato beds early, stake the vines, and pick "
    f"the fruit when it turns red. Mulch keeps the soil moist in week {i}. Frost "
    "can damage young plants, so cover them."
    for i in range(60)) + "\n"
