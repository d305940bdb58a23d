"""What a user does to a provider's runs, in one place: start a run (`launch.py`), follow
one to its end (`watch.py`), save an artifact (`artifacts.py`), and the git facts a Bug0
trigger carries (`gitinfo.py`).
"""
