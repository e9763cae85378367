"""reana"""
