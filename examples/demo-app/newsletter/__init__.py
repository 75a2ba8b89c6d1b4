"""A demo newsletter service that talks to SendGrid."""
