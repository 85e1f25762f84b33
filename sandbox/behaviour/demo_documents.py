"""Demo bucket contents for `sandbox_seed --demo`: support, policy and clinic documents.

Each bucket maps file names to text; a file given as ``(text, reason)`` fails embedding
with that reason (a scanned PDF with no text layer, say).
"""

SUPPORT_KB = {
    "wifi-troubleshooting.md": (
        "Wi-Fi troubleshooting. If your internet connection drops, restart the router first: unplug it, "
        "wait thirty seconds and plug it back in. The router lights show the connection state; a steady "
        "green internet light means the line is up, a flashing amber light means the router is still "
        "connecting.\n\n"
        "Weak Wi-Fi signal. Move the router away from walls, microwaves and metal cabinets, and keep it "
        "off the floor. Devices far from the router may switch to the slower 2.4 GHz band. A mesh "
        "extender helps in larger homes.\n\n"
        "Slow speeds. Run a speed test with a cable plugged into the router. If the wired speed is fine "
        "but Wi-Fi is slow, change the Wi-Fi channel in the router settings or reduce the number of "
        "devices streaming video at once."
    ),
    "billing-faq.md": (
        "Billing FAQ. Your monthly invoice lists plan charges, one-off fees and taxes. Invoices are issued "
        "on the first day of each month and are due within 14 days.\n\n"
        "How do I pay my invoice? Pay by card or direct debit in the billing section of your account. "
        "You can update the card used for automatic payments at any time.\n\n"
        "Why was I charged twice? A duplicate charge usually means a payment was retried after a card "
        "decline. Duplicate charges are refunded automatically within five working days.\n\n"
        "Late payment. A late payment fee applies when an invoice is unpaid 30 days after its due date."
    ),
    "account-security.md": (
        "Account security. Turn on two-factor authentication in your profile settings so every sign-in "
        "needs a code from your phone.\n\n"
        "Forgotten password. Use the reset password link on the sign-in page; the reset email expires "
        "after one hour. Support agents will never ask for your password.\n\n"
        "Suspicious activity. If you see a sign-in you do not recognise, change your password, sign out "
        "all sessions and contact support so we can review the account."
    ),
    "signed-contract-scan.pdf": (
        "", "Could not extract text: the PDF contains only scanned images and no text layer."),
}

POLICIES = {
    "refund-policy.md": (
        "Refund policy. You may return hardware within 30 days of delivery for a full refund. Refunds are "
        "issued to the original payment method within 14 days of receiving the returned item.\n\n"
        "Service credits. If an outage lasts longer than 24 hours we credit one day of service per day "
        "affected. Credits appear on your next invoice.\n\n"
        "Non-refundable items. Installation fees and prepaid international call bundles are not refundable "
        "once used."
    ),
    "privacy-policy.md": (
        "Privacy policy. We collect the personal data needed to provide the service: your name, address, "
        "contact details and usage records. We never sell personal data.\n\n"
        "Call recordings. Support calls may be recorded for quality and training; recordings are kept for "
        "90 days and then deleted.\n\n"
        "Your rights. You can ask for a copy of your personal data, ask us to correct it, or ask us to "
        "delete it, by writing to the privacy team."
    ),
    "acceptable-use.md": (
        "Acceptable use policy. Do not use the service to send spam, to attack other networks or to share "
        "illegal content. We may suspend accounts that break this policy after a warning.\n\n"
        "Fair use. Unlimited plans are for personal use; sustained heavy traffic that degrades the network "
        "for others may be slowed at peak times."
    ),
    "data-retention.md": (
        "Data retention schedule. Billing records are kept for seven years to meet tax law. Usage records "
        "are kept for 12 months. Support chat transcripts are kept for 90 days, like call recordings. "
        "Closed accounts are anonymised after the retention period ends."
    ),
}

CLINIC_FAQ = {
    "appointments.md": (
        "Appointments. Book, move or cancel an appointment by phone or online at least 24 hours ahead. "
        "Missed appointments without notice may incur a fee.\n\n"
        "New patients. Bring photo identification and your insurance card to your first appointment and "
        "arrive fifteen minutes early to complete the registration forms."
    ),
    "insurance.md": (
        "Insurance. Riverside Clinic accepts most major insurance plans. Check with your insurer whether "
        "a referral is needed before a specialist visit. Co-payments are due at check-in.\n\n"
        "Self-pay patients receive an estimate before treatment and can spread larger bills over three "
        "monthly instalments."
    ),
    "prescriptions.md": (
        "Prescriptions. Request repeat prescriptions online or at the front desk; allow two working days "
        "before collecting them from your pharmacy. Controlled medicines need a review appointment with "
        "your doctor every six months."
    ),
}

DEMO_BUCKETS = {
    "acme-support-kb": SUPPORT_KB,
    "acme-policies": POLICIES,
    "riverside-clinic-faq": CLINIC_FAQ,
}
