"""Care circles: the patient's chosen people, their permissions, and invitations into the portal."""
