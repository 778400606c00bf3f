"""The only sentences quotechat ever writes itself. Reviewed texts: change with care."""

DISCLAIMER = (
    "This is general information quoted from the documents listed, not medical advice. "
    "Talk to a doctor, pharmacist or other healthcare professional about your own "
    "situation before you change any treatment.")

EMERGENCY_NOTICE = (
    "This may be a medical emergency. Call your local emergency number now "
    "(for example 911 in the US, 112 in Europe, 999 in the UK) or go to the nearest "
    "emergency department. If you are thinking about harming yourself, call or text a "
    "crisis line now (988 in the US and Canada; 116 123 Samaritans in the UK and "
    "Ireland), or your local emergency number. Please do not wait for an answer here.")

NOT_FOUND = (
    "I could not find this in my documents, so I cannot answer it. I only quote the "
    "documents listed; try asking about what they cover, or ask a healthcare "
    "professional.")

ANSWER_LEAD = "Here is what the documents say:"

EMPTY_QUESTION = "Please type a question."

QUESTION_TOO_LONG = "That message is too long ({length} characters); please ask in at most {limit}."

UNUSABLE_QUESTION = "I could not find any words in that message; please ask a question in words."

SUGGESTIONS_LEAD = "The documents do answer questions like these (choose one to ask it):"
