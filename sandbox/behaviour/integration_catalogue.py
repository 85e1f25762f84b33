"""The fixed catalogue of third-party integrations Telnyx offers (shape: the SDK's Integration)."""

INTEGRATIONS = [
    {"id": "5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a01", "name": "salesforce", "display_name": "Salesforce",
     "description": "Look up and update contacts, leads and cases.",
     "available_tools": ["search_contacts", "create_lead", "update_case"]},
    {"id": "5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a02", "name": "hubspot", "display_name": "HubSpot",
     "description": "CRM contacts, deals and notes.",
     "available_tools": ["find_contact", "create_deal", "add_note"]},
    {"id": "5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a03", "name": "zendesk", "display_name": "Zendesk",
     "description": "Create and read support tickets.",
     "available_tools": ["create_ticket", "get_ticket", "add_comment"]},
    {"id": "5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a04", "name": "google_calendar", "display_name": "Google Calendar",
     "description": "Check availability and book meetings.",
     "available_tools": ["list_free_slots", "create_event", "cancel_event"]},
    {"id": "5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a05", "name": "shopify", "display_name": "Shopify",
     "description": "Order status, refunds and product lookups.",
     "available_tools": ["get_order", "refund_order", "search_products"]},
    {"id": "5b0e7c7a-1a4e-4d0b-9a52-0d2f6b1c0a06", "name": "slack", "display_name": "Slack",
     "description": "Post messages to channels and users.",
     "available_tools": ["post_message", "lookup_user"]},
]

BY_ID = {item["id"]: item for item in INTEGRATIONS}


def integration_json(item: dict, *, connected: bool) -> dict:
    return {**item, "logo_url": f"https://cdn.telnyx.com/integrations/{item['name']}.svg",
            "status": "connected" if connected else "disconnected"}
