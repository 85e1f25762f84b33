"""The fixed catalogue of third-party integrations Telnyx offers (shape: the SDK's Integration)."""

# (id suffix, name, display name, description, tools): one row an integration.
_CATALOGUE = [
    ("01", "salesforce", "Salesforce", "Look up and update contacts, leads and cases.", "search_contacts create_lead update_case"),
    ("02", "hubspot", "HubSpot", "CRM contacts, deals and notes.", "find_contact create_deal add_note"),
    ("03", "zendesk", "Zendesk", "Create and read support tickets.", "create_ticket get_ticket add_comment"),
    ("04", "google_calendar", "Google Calendar", "Check availability and book meetings.", "list_free_slots create_event cancel_event"),
    ("05", "shopify", "Shopify", "Order status, refunds and product lookups.", "get_order refund_order search_products"),
    ("06", "slack", "Slack", "Post messages to channels and users.", "post_message lookup_user"),
]
INTEGRATIONS = [
    {"id": f"5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a{suffix}", "name": name, "display_name": display,
     "description": description, "available_tools": tools.split()}
    for suffix, name, display, description, tools in _CATALOGUE
]

BY_ID = {item["id"]: item for item in INTEGRATIONS}


def integration_json(item: dict, *, connected: bool) -> dict:
    return {**item, "logo_url": f"https://cdn.telnyx.com/integrations/{item['name']}.svg",
            "status": "connected" if connected else "disconnected"}
