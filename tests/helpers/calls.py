"""Calls as an operator types them: a JSON body for the API and the intake form's fields."""

# A 9-year-old beaten by her stepfather, reported by a neighbour: routed to the commune's
# police and child-protection office.
GOOD = {
    "line": "111",
    "caller": {"name": "Chị Hoa", "phone": "0912 345 678", "relation": "neighbour"},
    "people": [{"age": 9, "sex": "female"}],
    "area": "qn-dak-to",
    "address": "Thôn 3",
    "narrative": "Bé gái 9 tuổi bị cha dượng đánh đập nhiều ngày, có vết bầm trên tay.",
    "categories": ["child_abuse"],
    "subcategories": ["physical_violence"],
    "urgency": "high",
    "needs": ["medical"],
}

# The same call as the intake form posts it.
FORM = {
    "line": "111",
    "caller_phone": "0912 345 678",
    "caller_name": "Chị Lan",
    "caller_relation": "neighbour",
    "people-0-age": "9",
    "people-0-sex": "female",
    "people-0-name": "",
    "people-1-age": "",
    "people-1-sex": "",
    "people-1-name": "",
    "area": "qn-dak-to",
    "address": "Thôn 3",
    "narrative": "Bé gái 9 tuổi bị cha dượng đánh đập, có vết bầm.",
    "categories": "child_abuse",
    "subcategories": "physical_violence",
    "urgency": "high",
    "needs": "medical",
}
